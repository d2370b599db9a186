import type { AddressInfo } from 'node:net';
import { closeServer, internalAuth, listen, openService, serviceMessaging } from '@checkout-lab/shared';
import { createApp } from './app';
import type { CartConfig } from './config';
import { migrations } from './data-access/migrations';
import { OrderClient } from './data-access/order.client';
import { ProductClient } from './data-access/product.client';
import { cartUseCases } from './domain/cart.use-case';
import { consumeOrderCreated } from './entry-points/messaging/order-created.consumer';

export interface RunningService {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Database (created, migrated), the order-created consumer, the sweep of stale checkout holds, then HTTP on CART_PORT
 * (0: a free port).
 */
export async function startCartService(config: CartConfig): Promise<RunningService> {
  const { log, pool } = await openService('cart-service', config, migrations);
  const auth = internalAuth('cart-service', config.INTERNAL_SECRET);
  const cart = cartUseCases(
    pool,
    new ProductClient(config.PRODUCT_SERVICE_URL, config.PRODUCT_TIMEOUT_MS, auth),
    new OrderClient(config.ORDER_SERVICE_URL, config.PRODUCT_TIMEOUT_MS, auth),
  );

  const messaging = serviceMessaging('cart-service', config, pool, log);
  consumeOrderCreated(messaging, cart);
  await messaging.start();

  const sweeper = setInterval(() => {
    cart
      .sweepHolds(config.CART_HOLD_TIMEOUT_MS)
      .then((swept) => {
        if (swept.settled || swept.released) log.info(swept, 'stale cart holds settled or put back');
      })
      .catch((error) => log.warn({ err: error }, 'cart hold sweep failed; trying again at the next one'));
  }, config.CART_HOLD_SWEEP_MS);
  sweeper.unref();

  const server = await listen(
    createApp({ pool, cart, log, messaging, internalSecret: config.INTERNAL_SECRET }),
    config.CART_PORT,
    config.BIND_HOST,
  );
  const port = (server.address() as AddressInfo).port;
  log.info({ port, database: config.DB_NAME, products: config.PRODUCT_SERVICE_URL }, 'cart-service listening');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: async () => {
      clearInterval(sweeper);
      server.closeAllConnections();
      await closeServer(server);
      await messaging.stop();
      await pool.end();
    },
  };
}
