import {
  DATABASE_NAMES,
  DEFAULT_ADMIN,
  DEFAULT_KNOBS,
  DEFAULT_PAYMENT_TIMEOUT_MS,
  DEFAULT_PORTS,
  DEV_JWT_SECRET,
  loginLimitsEnv,
  newPasswordSchema,
} from '@checkout-lab/kit';
import { merchantSchema } from '@checkout-lab/contract';
import { z } from 'zod';

/**
 * The monolith's environment, validated once at start. This is the only file that reads process.env:
 * everything else receives the typed object (or the options of startMonolith).
 */
/** The bcrypt cost when BCRYPT_ROUNDS is not set, as in user-service. */
export const DEFAULT_BCRYPT_ROUNDS = 10;

const intFrom = (fallback: number, max = 65535) => z.coerce.number().int().min(0).max(max).default(fallback);

const schema = z
  .object({
    NODE_ENV: z.string().default('development'),
    /** The port the monolith listens on. */
    MONOLITH_PORT: intFrom(DEFAULT_PORTS.MONOLITH_PORT),
    /** A PostgreSQL server (any database on it); the monolith creates and migrates DB_NAME there. */
    DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/postgres'),
    /** The monolith's own database. */
    DB_NAME: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'lower-case letters, digits and underscores')
      .default(DATABASE_NAMES.monolith),
    /** Size of the pg connection pool: every checkout holds one connection for its whole transaction. */
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
    /** The mail catcher (SMTP side), where confirmation emails go. */
    SMTP_HOST: z.string().default('127.0.0.1'),
    SMTP_PORT: intFrom(DEFAULT_PORTS.SMTP_PORT),
    /** The mail catcher's web URL: POST /api/lab/reset deletes the monolith's confirmation mail there. */
    MAIL_UI_URL: z.string().url().default(`http://127.0.0.1:${DEFAULT_PORTS.MAIL_UI_PORT}`),
    /** HS256 secret for the access tokens; the development default is refused when NODE_ENV=production. */
    JWT_SECRET: z.string().min(1).default(DEV_JWT_SECRET),
    /** Lifetime of an access token, in seconds. */
    JWT_EXPIRES_IN_S: z.coerce.number().int().min(60).max(604800).default(3600),
    /** bcrypt cost of every password hash (each step doubles the time a login takes). */
    BCRYPT_ROUNDS: z.coerce.number().int().min(4).max(14).default(DEFAULT_BCRYPT_ROUNDS),
    /** The seeded admin account, created or updated to this password at every start. */
    LAB_ADMIN_EMAIL: z.string().email().default(DEFAULT_ADMIN.email),
    LAB_ADMIN_PASSWORD: newPasswordSchema.default(DEFAULT_ADMIN.password),
    /** Failed-login limits: LOGIN_FAILURE_LIMIT, LOGIN_ADDRESS_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW_S (lab-kit). */
    ...loginLimitsEnv,
    /** The lab knobs (also changeable at run time through PUT /api/lab/config). */
    PAYMENT_DELAY_MS: intFrom(DEFAULT_KNOBS.payment_delay_ms, 60000),
    EMAIL_DELAY_MS: intFrom(DEFAULT_KNOBS.email_delay_ms, 60000),
    PAYMENT_FAILURE_RATE: z.coerce.number().min(0).max(1).default(DEFAULT_KNOBS.payment_failure_rate),
    /** The card provider both stacks charge (payment-provider/), this shop's merchant name there, and how long a
     * charge may take before the checkout gives up (504 PAYMENT_TIMEOUT). */
    PAYMENT_PROVIDER_URL: z.string().url().default(`http://127.0.0.1:${DEFAULT_PORTS.PAYMENT_PROVIDER_PORT}`),
    PAYMENT_MERCHANT: merchantSchema.default('monolith'),
    PAYMENT_TIMEOUT_MS: intFrom(DEFAULT_PAYMENT_TIMEOUT_MS, 120000),
    /** How many jobs of the fixes async_email and accept_then_process the monolith's worker runs at once. */
    JOB_CONCURRENCY: intFrom(10, 200),
    /** pino level; `silent` quiets the process. */
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((env) => !(env.NODE_ENV === 'production' && env.JWT_SECRET === DEV_JWT_SECRET), {
    message: 'JWT_SECRET must be set to a secret of your own when NODE_ENV=production',
    path: ['JWT_SECRET'],
  });

export type MonolithConfig = z.infer<typeof schema>;

/** Reads and validates the environment; throws one readable line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): MonolithConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid monolith configuration: ${lines.join('; ')}`);
  }
  return result.data;
}
