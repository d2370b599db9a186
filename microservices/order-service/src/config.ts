import { env, loadConfig } from '@checkout-lab/shared';
import { z } from 'zod';

/** order-service's whole configuration, validated once at start. */
export const configSchema = z.object({
  /** Listen port (8001). */
  ORDER_PORT: env.port('ORDER_PORT'),
  /** The PostgreSQL server; the service creates DB_NAME on it. */
  DATABASE_URL: env.databaseServerUrl(),
  DB_NAME: env.dbName('orders'),
  DB_POOL_SIZE: env.poolSize(),
  AMQP_URL: env.amqpUrl(),
  RABBIT_PREFIX: env.rabbitPrefix(),
  /** Where checkout reads the buyer's cart. */
  CART_SERVICE_URL: env.serviceUrl('CART_PORT'),
  /** How long checkout waits for cart-service before answering 503. */
  CART_TIMEOUT_MS: env.ms(2000),
  /** How often the outbox relay looks for unsent events (it is also woken after each commit). */
  OUTBOX_POLL_MS: env.ms(200),
  /** The address it listens on: loopback unless told (0.0.0.0 in docker-compose). */
  BIND_HOST: env.bindHost(),
  /** Verifies the internal token on every call and signs its own calls; the same secret as the gateway's. */
  INTERNAL_SECRET: env.internalSecret(),
  LOG_LEVEL: env.logLevel(),
});

export type Config = z.infer<typeof configSchema>;
export const readConfig = (source: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, source);
