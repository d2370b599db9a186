import { createServiceApp, finishApp, type ServiceDeps, serviceHealth } from '@checkout-lab/shared';
import type { Express } from 'express';
import type { CatalogUseCases } from './domain/catalog.use-case';
import type { ProductFaults } from './domain/faults';
import type { labUseCases } from './domain/lab.use-case';
import { catalogRoutes } from './entry-points/http/catalog.routes';
import { labRoutes } from './entry-points/http/lab.routes';

export interface AppDeps extends ServiceDeps {
  catalog: CatalogUseCases;
  lab: ReturnType<typeof labUseCases>;
  /** stock_db_delay_ms, which the reservation reads at every order. */
  faults: ProductFaults;
}

/** product-service's Express app: entry points on top of use cases on top of repositories. It never listens. */
export function createApp(deps: AppDeps): Express {
  const app = createServiceApp({ service: 'product-service', ...deps, health: serviceHealth(deps) });
  app.use(catalogRoutes(deps.catalog));
  app.use(labRoutes(deps.lab, deps.faults));
  return finishApp(app, deps.log);
}
