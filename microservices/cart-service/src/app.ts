import type { Logger } from '@checkout-lab/kit';
import { createServiceApp, databaseIsUp, finishApp, type Messaging } from '@checkout-lab/shared';
import type { Express } from 'express';
import type pg from 'pg';
import type { CartUseCases } from './domain/cart.use-case';
import { cartRoutes, internalRoutes } from './entry-points/http/cart.routes';

export interface AppDeps {
  pool: pg.Pool;
  cart: CartUseCases;
  log: Logger;
  messaging: Messaging | null;
  /** INTERNAL_SECRET: the gateway's and the other services' calls prove themselves with it. */
  internalSecret: string;
}

/** cart-service's Express app; it never listens. */
export function createApp({ pool, cart, log, messaging, internalSecret }: AppDeps): Express {
  const app = createServiceApp({
    service: 'cart-service',
    log,
    internalSecret,
    health: async () => {
      const database = await databaseIsUp(pool);
      const broker = messaging?.connected ?? false;
      return {
        status: database && broker ? 'ok' : 'degraded',
        database: database ? 'ok' : 'down',
        broker: broker ? 'ok' : 'down',
      };
    },
  });
  app.use(cartRoutes(cart));
  app.use(internalRoutes(cart));
  return finishApp(app, log);
}
