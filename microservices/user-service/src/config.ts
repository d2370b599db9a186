import {
  DATABASE_NAMES,
  DEFAULT_ADMIN,
  DEFAULT_PORTS,
  DEV_INTERNAL_SECRET,
  DEV_JWT_SECRET,
  loginLimitsEnv,
  newPasswordSchema,
} from '@checkout-lab/kit';
import { env } from '@checkout-lab/shared';
import { z } from 'zod';

/**
 * user-service's environment, validated once at start. The only file that reads process.env; everything else gets
 * the typed object (tests build it with loadConfig({...})).
 */
const schema = z
  .object({
    NODE_ENV: z.string().default('development'),
    /** The port user-service listens on (0: any free port). */
    USER_PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_PORTS.USER_PORT),
    /** The address it listens on: loopback unless told (0.0.0.0 in docker-compose). */
    BIND_HOST: env.bindHost(),
    /** Verifies the internal token on every call (the gateway's user lookup among them); the default is refused in production. */
    INTERNAL_SECRET: env.internalSecret(),
    /** A PostgreSQL server; user-service creates and migrates DB_NAME on it. */
    DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/postgres'),
    /** user-service's own database: nobody else reads it. */
    DB_NAME: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .default(DATABASE_NAMES.users),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
    /** HS256 secret shared with the gateway (which verifies); the default is refused in production. */
    JWT_SECRET: z.string().min(1).default(DEV_JWT_SECRET),
    /** Lifetime of an access token, in seconds. */
    JWT_EXPIRES_IN_S: z.coerce.number().int().min(60).max(604800).default(3600),
    /** The seeded admin, created or updated to this password at every start. */
    LAB_ADMIN_EMAIL: z.string().email().default(DEFAULT_ADMIN.email),
    LAB_ADMIN_PASSWORD: newPasswordSchema.default(DEFAULT_ADMIN.password),
    /** Failed-login limits: LOGIN_FAILURE_LIMIT, LOGIN_ADDRESS_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW_S (lab-kit). */
    ...loginLimitsEnv,
    /** bcrypt cost; 10 is the common default, tests may lower it. */
    BCRYPT_ROUNDS: z.coerce.number().int().min(4).max(14).default(10),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((env) => !(env.NODE_ENV === 'production' && env.JWT_SECRET === DEV_JWT_SECRET), {
    message: 'JWT_SECRET must be set to a secret of your own when NODE_ENV=production',
    path: ['JWT_SECRET'],
  })
  .refine((env) => !(env.NODE_ENV === 'production' && env.INTERNAL_SECRET === DEV_INTERNAL_SECRET), {
    message: 'INTERNAL_SECRET must be set to a secret of your own when NODE_ENV=production',
    path: ['INTERNAL_SECRET'],
  });

export type UserConfig = z.infer<typeof schema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): UserConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid user-service configuration: ${lines.join('; ')}`);
  }
  return result.data;
}
