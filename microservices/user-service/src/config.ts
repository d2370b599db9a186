import { DEFAULT_ADMIN, loginLimitsEnv, newPasswordSchema } from '@checkout-lab/kit';
import { env, loadConfig as load, refuseDevSecretsInProduction, serviceConfig } from '@checkout-lab/shared';
import { z } from 'zod';

/**
 * user-service's environment, validated once at start. The only file that reads process.env; everything else gets
 * the typed object (tests build it with loadConfig({...})).
 */
const schema = refuseDevSecretsInProduction(
  serviceConfig({
    NODE_ENV: z.string().default('development'),
    /** The port user-service listens on (0: any free port). */
    USER_PORT: env.port('USER_PORT'),
    /** user-service's own database (checkout_users): nobody else reads it. */
    ...serviceConfig.database('users'),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
    /** HS256 secret shared with the gateway (which verifies); the default is refused in production. */
    JWT_SECRET: env.jwtSecret(),
    /** Lifetime of an access token, in seconds. */
    JWT_EXPIRES_IN_S: z.coerce.number().int().min(60).max(604800).default(3600),
    /** The seeded admin, created or updated to this password at every start. */
    LAB_ADMIN_EMAIL: z.string().email().default(DEFAULT_ADMIN.email),
    LAB_ADMIN_PASSWORD: newPasswordSchema.default(DEFAULT_ADMIN.password),
    /** Failed-login limits: LOGIN_FAILURE_LIMIT, LOGIN_ADDRESS_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW_S (lab-kit). */
    ...loginLimitsEnv,
    /** bcrypt cost; 10 is the common default, tests may lower it. */
    BCRYPT_ROUNDS: z.coerce.number().int().min(4).max(14).default(10),
  }),
);

export type UserConfig = z.infer<typeof schema>;

export function loadConfig(source: Record<string, string | undefined> = process.env): UserConfig {
  return load(schema, source);
}
