import { DEFAULT_KNOBS } from '@checkout-lab/kit';
import { env, loadConfig } from '@checkout-lab/shared';
import { z } from 'zod';

/** email-service's whole configuration, validated once at start. */
export const configSchema = z.object({
  /** Listen port (8003). */
  EMAIL_PORT: env.port('EMAIL_PORT'),
  DATABASE_URL: env.databaseServerUrl(),
  DB_NAME: env.dbName('emails'),
  DB_POOL_SIZE: env.poolSize(),
  AMQP_URL: env.amqpUrl(),
  RABBIT_PREFIX: env.rabbitPrefix(),
  /** The mail catcher's SMTP server. */
  SMTP_HOST: env.smtpHost(),
  SMTP_PORT: env.smtpPort(),
  /** The catcher's web URL: a lab reset deletes this stack's confirmation mail there. */
  MAIL_UI_URL: env.mailUiUrl(),
  /** The simulated slow email provider, in ms before the real SMTP send; changed by PUT /internal/lab/config. */
  EMAIL_DELAY_MS: env.ms(DEFAULT_KNOBS.email_delay_ms),
  /** How long one SMTP send may take before it counts as failed (and is retried). */
  SMTP_TIMEOUT_MS: env.ms(10_000),
  OUTBOX_POLL_MS: env.ms(200),
  /** The address it listens on: loopback unless told (0.0.0.0 in docker-compose). */
  BIND_HOST: env.bindHost(),
  /** Verifies the internal token on every call and signs its own calls; the same secret as the gateway's. */
  INTERNAL_SECRET: env.internalSecret(),
  LOG_LEVEL: env.logLevel(),
});

export type Config = z.infer<typeof configSchema>;
export const readConfig = (source: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, source);
