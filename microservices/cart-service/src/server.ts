import { internalAuth, openService, type RunningService, serve, serviceMessaging } from '@checkout-lab/shared';
import { createApp } from './app';
import type { CartConfig } from './config';
import { migrations } from './data-access/migrations';
import { OrderClient } from './data-access/order.client';
import { ProductClient } from './data-access/product.client';
import { cartUseCases } from './domain/cart.use-case';
import { registerOrderCreatedConsumer } from './entry-points/messaging/order-created.consumer';

export type { RunningService };

const SERVICE = 'cart-service';

/**
 * Its database (created, migrated), the order-created consumer, the sweep of stale checkout holds, then HTTP on
 * CART_PORT (0: a free port). Index.ts runs it as a process; tests start it in theirs.
 */
export async function startCartService(config: CartConfig): Promise<RunningService> {
  const { log, pool } = await openService(SERVICE, config, migrations);
  const auth = internalAuth(SERVICE, config.INTERNAL_SECRET);
  const messaging = serviceMessaging(SERVICE, config, pool, log);
  // The fault lab's hop_delay_ms, which the adapter holds, on this service's calls too.
  const hopDelayMs = () => messaging.faults.hop_delay_ms;
  const cart = cartUseCases(
    pool,
    new ProductClient(config.PRODUCT_SERVICE_URL, config.PRODUCT_TIMEOUT_MS, auth, hopDelayMs),
    new OrderClient(config.ORDER_SERVICE_URL, config.PRODUCT_TIMEOUT_MS, auth, hopDelayMs),
  );

  registerOrderCreatedConsumer(messaging, cart);
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

  const app = createApp({ log, internalSecret: config.INTERNAL_SECRET, pool, messaging, cart });
  return serve(app, {
    service: SERVICE,
    port: config.CART_PORT,
    config,
    log,
    pool,
    messaging,
    details: { products: config.PRODUCT_SERVICE_URL },
    onStop: () => clearInterval(sweeper),
  });
}
