import { env, loadConfig as load } from '@checkout-lab/shared';
import { z } from 'zod';

/** cart-service's environment, validated once at start; the only file that reads process.env. */
const schema = z.object({
  /** The port it listens on (0: any free port). */
  CART_PORT: env.port('CART_PORT'),
  /** A PostgreSQL server; cart-service creates and migrates DB_NAME on it. */
  DATABASE_URL: env.databaseServerUrl(),
  /** Its own database (checkout_carts). */
  DB_NAME: env.dbName('carts'),
  DB_POOL_SIZE: env.poolSize(),
  AMQP_URL: env.amqpUrl(),
  RABBIT_PREFIX: env.rabbitPrefix(),
  /** Where product names, prices and stock come from (GET /api/products/:id). */
  PRODUCT_SERVICE_URL: env.serviceUrl('PRODUCT_PORT'),
  /** How long a call to product-service may take before the cart answers 503. */
  PRODUCT_TIMEOUT_MS: z.coerce.number().int().min(50).max(60000).default(2000),
  LOG_LEVEL: env.logLevel(),
});

export type CartConfig = z.infer<typeof schema>;

export function loadConfig(source: Record<string, string | undefined> = process.env): CartConfig {
  return load(schema, source);
}
