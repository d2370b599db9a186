import { DEFAULT_KNOBS } from '@checkout-lab/kit';
import { env, loadConfig } from '@checkout-lab/shared';
import { z } from 'zod';

/** payment-service's whole configuration, validated once at start. */
export const configSchema = z.object({
  /** Listen port (8002). */
  PAYMENT_PORT: env.port('PAYMENT_PORT'),
  DATABASE_URL: env.databaseServerUrl(),
  DB_NAME: env.dbName('payments'),
  DB_POOL_SIZE: env.poolSize(),
  AMQP_URL: env.amqpUrl(),
  RABBIT_PREFIX: env.rabbitPrefix(),
  /** The simulated payment gateway call, in ms; changed at run time by PUT /internal/lab/config. */
  PAYMENT_DELAY_MS: env.ms(DEFAULT_KNOBS.payment_delay_ms),
  /** Share of payments declined, 0..1. */
  PAYMENT_FAILURE_RATE: env.rate(DEFAULT_KNOBS.payment_failure_rate),
  OUTBOX_POLL_MS: env.ms(200),
  /** The address it listens on: loopback unless told (0.0.0.0 in docker-compose). */
  BIND_HOST: env.bindHost(),
  /** Verifies the internal token on every call and signs its own calls; the same secret as the gateway's. */
  INTERNAL_SECRET: env.internalSecret(),
  LOG_LEVEL: env.logLevel(),
});

export type Config = z.infer<typeof configSchema>;
export const readConfig = (source: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, source);
