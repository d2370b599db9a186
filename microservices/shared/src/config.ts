import {
  DATABASE_NAMES,
  DEFAULT_AMQP_URL,
  DEFAULT_KNOBS,
  DEFAULT_PORTS,
  DEV_INTERNAL_SECRET,
  DEV_JWT_SECRET,
} from '@checkout-lab/kit';
import { z } from 'zod';

/**
 * Building blocks of each service's own config.ts. A service composes the fields it needs into one zod object and
 * calls loadConfig(schema) once at start; process.env is read nowhere else.
 */
export const env = {
  port: (name: keyof typeof DEFAULT_PORTS) => z.coerce.number().int().min(0).max(65535).default(DEFAULT_PORTS[name]),
  databaseServerUrl: () => z.string().url().default('postgres://postgres@127.0.0.1:5432/postgres'),
  dbName: (name: keyof typeof DATABASE_NAMES) =>
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .default(DATABASE_NAMES[name]),
  poolSize: () => z.coerce.number().int().min(1).max(200).default(10),
  amqpUrl: () => z.string().default(DEFAULT_AMQP_URL),
  rabbitPrefix: () => z.string().default(''),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  serviceUrl: (port: keyof typeof DEFAULT_PORTS) => z.string().url().default(`http://127.0.0.1:${DEFAULT_PORTS[port]}`),
  ms: (fallback: number) => z.coerce.number().int().min(0).default(fallback),
  rate: (fallback: number) => z.coerce.number().min(0).max(1).default(fallback),
  smtpHost: () => z.string().default('127.0.0.1'),
  smtpPort: () => z.coerce.number().int().min(1).max(65535).default(DEFAULT_PORTS.SMTP_PORT),
  mailUiUrl: () => z.string().url().default(`http://127.0.0.1:${DEFAULT_PORTS.MAIL_UI_PORT}`),
  jwtSecret: () => z.string().min(1).default(DEV_JWT_SECRET),
  /** The address to listen on: loopback unless told (BIND_HOST=0.0.0.0 in docker-compose, where peers are remote). */
  bindHost: () => z.string().min(1).default('127.0.0.1'),
  /** HS256 secret of the tokens between the gateway and the services; the same value in every one of them. */
  internalSecret: () => z.string().min(1).default(DEV_INTERNAL_SECRET),
};

/** A service's own database: the PostgreSQL server it creates DB_NAME on, and its pool size. */
function databaseFields(name: keyof typeof DATABASE_NAMES) {
  return {
    /** A PostgreSQL server; the service creates and migrates DB_NAME on it. */
    DATABASE_URL: env.databaseServerUrl(),
    /** Its own database: nobody else reads it. */
    DB_NAME: env.dbName(name),
    DB_POOL_SIZE: env.poolSize(),
  };
}

/** The broker: where it is, and the prefix of every exchange and queue name (so test runs never share a queue). */
function brokerFields() {
  return { AMQP_URL: env.amqpUrl(), RABBIT_PREFIX: env.rabbitPrefix() };
}

/**
 * A service's config schema: the fields it lists, plus the three every service reads. Its config.ts lists its port
 * first, then `...serviceConfig.database('orders')` and `...serviceConfig.broker()` when it has them, then its own.
 */
export function serviceConfig<Fields extends z.ZodRawShape>(fields: Fields) {
  return z.object({
    ...fields,
    /** The address it listens on: loopback unless told (0.0.0.0 to serve other machines, and in docker-compose). */
    BIND_HOST: env.bindHost(),
    /** Verifies the internal token on every call and signs its own calls; the same secret in every service. */
    INTERNAL_SECRET: env.internalSecret(),
    LOG_LEVEL: env.logLevel(),
  });
}
serviceConfig.database = databaseFields;
serviceConfig.broker = brokerFields;

/**
 * For the gateway and user-service, which hold the lab's secrets: with NODE_ENV=production, the development defaults
 * of JWT_SECRET and INTERNAL_SECRET are refused (the process does not start).
 */
export function refuseDevSecretsInProduction<
  T extends z.ZodType<{ NODE_ENV: string; JWT_SECRET: string; INTERNAL_SECRET: string }>,
>(schema: T): T {
  const devSecrets = { JWT_SECRET: DEV_JWT_SECRET, INTERNAL_SECRET: DEV_INTERNAL_SECRET } as const;
  let checked = schema;
  for (const [name, devSecret] of Object.entries(devSecrets) as [keyof typeof devSecrets, string][]) {
    checked = checked.refine((value) => !(value.NODE_ENV === 'production' && value[name] === devSecret), {
      message: `${name} must be set to a secret of your own when NODE_ENV=production`,
      path: [name],
    }) as T;
  }
  return checked;
}

export const knobDefaults = DEFAULT_KNOBS;

/** Validates the environment once; a bad value stops the process with one line naming the variable. */
export function loadConfig<T extends z.ZodType>(schema: T, source: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return result.data;
}

/** RABBIT_PREFIX "t_1" becomes "t_1." so names read t_1.checkout.events; an empty prefix stays empty. */
export function normalizePrefix(prefix: string): string {
  if (!prefix) return '';
  return prefix.endsWith('.') ? prefix : `${prefix}.`;
}
