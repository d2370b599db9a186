import type { Logger } from '@checkout-lab/kit';
import { createServiceApp, databaseIsUp, finishApp, type Messaging, type Pool } from '@checkout-lab/shared';
import type { Express } from 'express';
import type { PaymentKnobs } from './domain/knobs';
import { labRoutes } from './entry-points/http/lab.routes';

export function createApp(deps: {
  pool: Pool;
  messaging: Messaging;
  log: Logger;
  knobs: PaymentKnobs;
  internalSecret: string;
}): Express {
  const app = createServiceApp({
    service: 'payment-service',
    log: deps.log,
    internalSecret: deps.internalSecret,
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
  app.use(labRoutes({ pool: deps.pool, knobs: deps.knobs }));
  return finishApp(app, deps.log);
}
