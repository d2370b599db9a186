import { createServiceApp, finishApp, type ServiceDeps, serviceHealth } from '@checkout-lab/shared';
import type { Express } from 'express';
import type { Mailer } from './data-access/mailer';
import type { EmailFaults, EmailKnobs } from './domain/knobs';
import { labRoutes } from './entry-points/http/lab.routes';
import { notificationsRoutes } from './entry-points/http/notifications.routes';

export interface AppDeps extends ServiceDeps {
  mailer: Mailer;
  /** The email delay, which the lab changes at run time. */
  knobs: EmailKnobs;
  /** smtp_down and email_failure_rate, which the mailer reads at every send. */
  faults: EmailFaults;
  /** The mail catcher's web URL, where a lab reset deletes this stack's mail. */
  mailUiUrl: string;
}

/** email-service's Express app: the buyer's notifications and the lab's endpoints. It never listens. */
export function createApp(deps: AppDeps): Express {
  const health = serviceHealth(deps, {
    brokerWords: ['connected', 'disconnected'],
    // While SMTP sends fail, paid orders wait in the retry queues (and then the DLQ) for their confirmation: the
    // service is up but not doing its job, and /health says so.
    more: { smtp: () => deps.mailer.health() },
  });
  const app = createServiceApp({ service: 'email-service', ...deps, health });
  app.use(notificationsRoutes({ pool: deps.pool }));
  app.use(labRoutes(deps));
  return finishApp(app, deps.log);
}
