import { env, loadConfig as load, serviceConfig } from '@checkout-lab/shared';
import type { z } from 'zod';

/** order-service's environment, validated once at start; the only file that reads process.env. */
const schema = serviceConfig({
  /** The port it listens on (8001; 0: any free port). */
  ORDER_PORT: env.port('ORDER_PORT'),
  /** Its own database (checkout_orders): the orders, their steps, and the outbox of the saga's events. */
  ...serviceConfig.database('orders'),
  ...serviceConfig.broker(),
  /** How often the outbox relay looks for unsent events (it is also woken after each commit). */
  OUTBOX_POLL_MS: env.ms(200),
  /** Where checkout reads the buyer's cart. */
  CART_SERVICE_URL: env.serviceUrl('CART_PORT'),
  /** How long checkout waits for cart-service before answering 503. */
  CART_TIMEOUT_MS: env.ms(2000),
});

export type OrderConfig = z.infer<typeof schema>;

export function loadConfig(source: Record<string, string | undefined> = process.env): OrderConfig {
  return load(schema, source);
}
