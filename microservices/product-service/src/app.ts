import type { Logger } from '@checkout-lab/kit';
import { createServiceApp, databaseIsUp, finishApp, type Messaging } from '@checkout-lab/shared';
import type { Express } from 'express';
import type pg from 'pg';
import { catalogUseCases } from './domain/catalog.use-case';
import { labUseCases } from './domain/lab.use-case';
import { catalogRoutes } from './entry-points/http/catalog.routes';
import { labRoutes } from './entry-points/http/lab.routes';

export interface AppDeps {
  pool: pg.Pool;
  log: Logger;
  /** Null when the app runs without a broker (its health then says so). */
  messaging: Messaging | null;
  /** INTERNAL_SECRET: the gateway's and the other services' calls prove themselves with it. */
  internalSecret: string;
}

/** product-service's Express app: entry points on top of use cases on top of repositories. It never listens. */
export function createApp({ pool, log, messaging, internalSecret }: AppDeps): Express {
  const app = createServiceApp({
    service: 'product-service',
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
  app.use(catalogRoutes(catalogUseCases(pool)));
  app.use(labRoutes(labUseCases(pool)));
  return finishApp(app, log);
}
