import { openService, type RunningService, serve, serviceMessaging, withTransaction } from '@checkout-lab/shared';
import { createApp } from './app';
import type { ProductConfig } from './config';
import { migrations } from './data-access/migrations';
import { seedCatalog } from './data-access/seed';
import { catalogUseCases } from './domain/catalog.use-case';
import { productFaults } from './domain/faults';
import { labUseCases } from './domain/lab.use-case';
import { registerOrderCancelledConsumer } from './entry-points/messaging/order-cancelled.consumer';
import { registerOrderCreatedConsumer } from './entry-points/messaging/order-created.consumer';

export type { RunningService };

const SERVICE = 'product-service';

/**
 * Its database (created, migrated, seeded), the order-created and order-cancelled consumers and the outbox relay,
 * then HTTP on PRODUCT_PORT (0: a free port). Index.ts runs it as a process; tests start it in theirs.
 */
export async function startProductService(config: ProductConfig): Promise<RunningService> {
  const { log, pool } = await openService(SERVICE, config, migrations);
  await withTransaction(pool, (client) => seedCatalog(client, 'missing'));

  const faults = productFaults();
  const messaging = serviceMessaging(SERVICE, config, pool, log);
  registerOrderCreatedConsumer(messaging, faults);
  registerOrderCancelledConsumer(messaging);
  await messaging.start(); // the consumers, and the outbox relay that publishes product.stock.reserved / rejected

  const app = createApp({
    log,
    internalSecret: config.INTERNAL_SECRET,
    pool,
    messaging,
    catalog: catalogUseCases(pool),
    lab: labUseCases(pool),
    faults,
  });
  return serve(app, { service: SERVICE, port: config.PRODUCT_PORT, config, log, pool, messaging });
}
