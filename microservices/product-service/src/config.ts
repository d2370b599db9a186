import { env, loadConfig as load } from '@checkout-lab/shared';
import { z } from 'zod';

/** product-service's environment, validated once at start; the only file that reads process.env. */
const schema = z.object({
  /** The port it listens on (0: any free port). */
  PRODUCT_PORT: env.port('PRODUCT_PORT'),
  /** A PostgreSQL server; product-service creates and migrates DB_NAME on it. */
  DATABASE_URL: env.databaseServerUrl(),
  /** Its own database (checkout_products): the catalogue, the stock and the reservations live only here. */
  DB_NAME: env.dbName('products'),
  DB_POOL_SIZE: env.poolSize(),
  AMQP_URL: env.amqpUrl(),
  /** Prefix of exchange and queue names, so test runs never share a queue. */
  RABBIT_PREFIX: env.rabbitPrefix(),
  /** The address it listens on: loopback unless told (0.0.0.0 in docker-compose). */
  BIND_HOST: env.bindHost(),
  /** Verifies the internal token on every call and signs its own calls; the same secret as the gateway's. */
  INTERNAL_SECRET: env.internalSecret(),
  LOG_LEVEL: env.logLevel(),
});

export type ProductConfig = z.infer<typeof schema>;

export function loadConfig(source: Record<string, string | undefined> = process.env): ProductConfig {
  return load(schema, source);
}
