import type { PaymentProvider } from '@checkout-lab/kit';
import { createServiceApp, finishApp, type ServiceDeps, serviceHealth } from '@checkout-lab/shared';
import type { Express } from 'express';
import type { PaymentFaults, PaymentKnobs } from './domain/knobs';
import { labRoutes } from './entry-points/http/lab.routes';

export interface AppDeps extends ServiceDeps {
  /** The payment delay and failure rate, which the lab changes at run time. */
  knobs: PaymentKnobs;
  /** The card provider outside the shop, whose ledger the audit reads. */
  provider: PaymentProvider;
  /** payment_hang, for the charge of step 6_process_payment. */
  faults: PaymentFaults;
}

/** payment-service's Express app: it takes no buyer's request (its work comes from the broker), only the lab's. */
export function createApp(deps: AppDeps): Express {
  const health = serviceHealth(deps, { brokerWords: ['connected', 'disconnected'] });
  const app = createServiceApp({ service: 'payment-service', ...deps, health });
  app.use(labRoutes({ pool: deps.pool, knobs: deps.knobs, provider: deps.provider, faults: deps.faults }));
  return finishApp(app, deps.log);
}
