import { DATABASE_NAMES, DEFAULT_PORTS } from '@checkout-lab/kit';
import { z } from 'zod';

/** The provider's environment, validated once at start; the only file that reads process.env. */
const schema = z.object({
  /** The port it listens on (8007). */
  PAYMENT_PROVIDER_PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_PORTS.PAYMENT_PROVIDER_PORT),
  /** Where it listens: loopback unless a container needs all interfaces. */
  BIND_HOST: z.string().default('127.0.0.1'),
  /** A PostgreSQL server (any database on it); the provider creates its ledger database DB_NAME there. */
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/postgres'),
  DB_NAME: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'lower-case letters, digits and underscores')
    .default(DATABASE_NAMES.provider),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type ProviderConfig = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ProviderConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid payment-provider configuration: ${lines.join('; ')}`);
  }
  return result.data;
}
