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
