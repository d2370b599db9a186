import type { Logger } from '@checkout-lab/kit';
import { createServiceApp, databaseIsUp, finishApp, type Messaging, type Pool } from '@checkout-lab/shared';
import type { Express } from 'express';
import type { Mailer } from './data-access/mailer';
import type { EmailKnobs } from './domain/knobs';
import { labRoutes } from './entry-points/http/lab.routes';
import { notificationsRoutes } from './entry-points/http/notifications.routes';

export function createApp(deps: {
  pool: Pool;
  messaging: Messaging;
  mailer: Mailer;
  log: Logger;
  knobs: EmailKnobs;
  mailUiUrl: string;
  internalSecret: string;
}): Express {
  const app = createServiceApp({
    service: 'email-service',
    log: deps.log,
    internalSecret: deps.internalSecret,
    health: async () => {
      const database = await databaseIsUp(deps.pool);
      const broker = deps.messaging.connected;
      // While SMTP sends fail, paid orders wait in the retry queues (and then the DLQ) for their confirmation: the
      // service is up but not doing its job, and /health says so.
      const smtp = deps.mailer.health();
      return {
        status: database && broker && smtp.status === 'ok' ? 'ok' : 'degraded',
        database: database ? 'ok' : 'down',
        broker: broker ? 'connected' : 'disconnected',
        smtp,
      };
    },
  });
  app.use(notificationsRoutes({ pool: deps.pool }));
  app.use(labRoutes({ pool: deps.pool, knobs: deps.knobs, mailUiUrl: deps.mailUiUrl, log: deps.log }));
  return finishApp(app, deps.log);
}
