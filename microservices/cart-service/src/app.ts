import { createServiceApp, finishApp, type ServiceDeps, serviceHealth } from '@checkout-lab/shared';
import type { Express } from 'express';
import type { CartUseCases } from './domain/cart.use-case';
import { cartRoutes, internalRoutes } from './entry-points/http/cart.routes';

export interface AppDeps extends ServiceDeps {
  cart: CartUseCases;
}

/** cart-service's Express app: its routes on the services' shared base. It never listens (server.ts does). */
export function createApp(deps: AppDeps): Express {
  const app = createServiceApp({ service: 'cart-service', ...deps, health: serviceHealth(deps) });
  app.use(cartRoutes(deps.cart));
  app.use(internalRoutes(deps.cart));
  return finishApp(app, deps.log);
}
