import { createServiceApp, finishApp, type ServiceDeps, serviceHealth } from '@checkout-lab/shared';
import type { Express } from 'express';
import type { CheckoutDeps } from './domain/checkout.use-case';
import type { OrderFaults } from './domain/faults';
import { labRoutes } from './entry-points/http/lab.routes';
import { ordersRoutes } from './entry-points/http/orders.routes';

export interface AppDeps extends ServiceDeps {
  /** What checkout needs: the cart client, and the outbox relay's kick after each commit. */
  checkout: CheckoutDeps;
  /** crash, for the outbox relay's point after_commit_before_publish. */
  faults: OrderFaults;
}

/** order-service's Express app: checkout, the buyer's orders, the lab's view of them. It never listens. */
export function createApp(deps: AppDeps): Express {
  const health = serviceHealth(deps, { brokerWords: ['connected', 'disconnected'] });
  const app = createServiceApp({ service: 'order-service', ...deps, health });
  app.use(ordersRoutes(deps.checkout));
  app.use(labRoutes({ pool: deps.pool, faults: deps.faults }));
  return finishApp(app, deps.log);
}
