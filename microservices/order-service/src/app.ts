import type { Logger } from '@checkout-lab/kit';
import {
  createServiceApp,
  databaseIsUp,
  finishApp,
  internalAuth,
  type Messaging,
  type Pool,
} from '@checkout-lab/shared';
import type { Express } from 'express';
import type { Config } from './config';
import { cartClient } from './data-access/cart.client';
import { labRoutes } from './entry-points/http/lab.routes';
import { ordersRoutes } from './entry-points/http/orders.routes';

/** Builds order-service's Express app; never listens (index.ts does, tests listen on port 0). */
export function createApp(deps: { config: Config; pool: Pool; messaging: Messaging; log: Logger }): Express {
  const app = createServiceApp({
    service: 'order-service',
    log: deps.log,
    internalSecret: deps.config.INTERNAL_SECRET,
    health: async () => {
      const database = await databaseIsUp(deps.pool);
      const broker = deps.messaging.connected;
      return {
        status: database && broker ? 'ok' : 'degraded',
        database: database ? 'ok' : 'down',
        broker: broker ? 'connected' : 'disconnected',
      };
    },
  });
  app.use(
    ordersRoutes({
      pool: deps.pool,
      cart: cartClient({
        baseUrl: deps.config.CART_SERVICE_URL,
        timeoutMs: deps.config.CART_TIMEOUT_MS,
        auth: internalAuth('order-service', deps.config.INTERNAL_SECRET),
      }),
      log: deps.log,
      // Publish at once instead of at the next poll: the relay is in this process.
      onCommitted: () => deps.messaging.relay.kick(),
    }),
  );
  app.use(labRoutes({ pool: deps.pool }));
  return finishApp(app, deps.log);
}
