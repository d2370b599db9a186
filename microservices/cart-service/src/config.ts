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
  /** Where the sweep asks whether a stale hold's order was written (GET /internal/orders/by-cart-hold/:id). */
  ORDER_SERVICE_URL: env.serviceUrl('ORDER_PORT'),
  /** A checkout's hold older than this is settled or put back by asking order-service. */
  CART_HOLD_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3600000).default(30000),
  /** How often the sweep looks for such holds. */
  CART_HOLD_SWEEP_MS: z.coerce.number().int().min(100).max(3600000).default(10000),
  /** The address it listens on: loopback unless told (0.0.0.0 in docker-compose). */
  BIND_HOST: env.bindHost(),
  /** Verifies the internal token on every call and signs its own calls; the same secret as the gateway's. */
  INTERNAL_SECRET: env.internalSecret(),
  LOG_LEVEL: env.logLevel(),
});

export type CartConfig = z.infer<typeof schema>;

export function loadConfig(source: Record<string, string | undefined> = process.env): CartConfig {
  return load(schema, source);
}
