import { env, loadConfig as load, serviceConfig } from '@checkout-lab/shared';
import type { z } from 'zod';

/** product-service's environment, validated once at start; the only file that reads process.env. */
const schema = serviceConfig({
  /** The port it listens on (0: any free port). */
  PRODUCT_PORT: env.port('PRODUCT_PORT'),
  /** Its own database (checkout_products): the catalogue, the stock and the reservations live only here. */
  ...serviceConfig.database('products'),
  ...serviceConfig.broker(),
});

export type ProductConfig = z.infer<typeof schema>;

export function loadConfig(source: Record<string, string | undefined> = process.env): ProductConfig {
  return load(schema, source);
}
