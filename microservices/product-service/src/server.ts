import type { AddressInfo } from 'node:net';
import { withTransaction, closeServer, listen, openService, serviceMessaging } from '@checkout-lab/shared';
import { createApp } from './app';
import type { ProductConfig } from './config';
import { migrations } from './data-access/migrations';
import { seedCatalog } from './data-access/seed';
import { consumeOrderCancelled } from './entry-points/messaging/order-cancelled.consumer';
import { consumeOrderCreated } from './entry-points/messaging/order-created.consumer';

export interface RunningService {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Database (created, migrated, seeded), consumers and the outbox relay, then HTTP on PRODUCT_PORT (0: free port). */
export async function startProductService(config: ProductConfig): Promise<RunningService> {
  const { log, pool } = await openService('product-service', config, migrations);
  await withTransaction(pool, (client) => seedCatalog(client, 'missing'));

  const messaging = serviceMessaging('product-service', config, pool, log);
  consumeOrderCreated(messaging);
  consumeOrderCancelled(messaging);
  await messaging.start();

  const server = await listen(
    createApp({ pool, log, messaging, internalSecret: config.INTERNAL_SECRET }),
    config.PRODUCT_PORT,
    config.BIND_HOST,
  );
  const port = (server.address() as AddressInfo).port;
  log.info({ port, database: config.DB_NAME }, 'product-service listening');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: async () => {
      server.closeAllConnections();
      await closeServer(server);
      await messaging.stop();
      await pool.end();
    },
  };
}
