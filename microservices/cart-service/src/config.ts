import { env, loadConfig as load, serviceConfig } from '@checkout-lab/shared';
import { z } from 'zod';

/** cart-service's environment, validated once at start; the only file that reads process.env. */
const schema = serviceConfig({
  /** The port it listens on (0: any free port). */
  CART_PORT: env.port('CART_PORT'),
  /** Its own database, checkout_carts, on DATABASE_URL's server. */
  ...serviceConfig.database('carts'),
  ...serviceConfig.broker(),
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
});

export type CartConfig = z.infer<typeof schema>;

export function loadConfig(source: Record<string, string | undefined> = process.env): CartConfig {
  return load(schema, source);
}
