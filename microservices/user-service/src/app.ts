import { createServiceApp, finishApp, type ServiceDeps, serviceHealth } from '@checkout-lab/shared';
import type { Express } from 'express';
import type { UserChangesListener } from './data-access/user-changes.listener';
import type { UserUseCases } from './domain/users.use-case';
import { authRoutes, internalRoutes } from './entry-points/http/auth.routes';
import { userChangesRoutes } from './entry-points/http/user-changes.routes';

export interface AppDeps extends ServiceDeps {
  users: UserUseCases;
  changes: UserChangesListener;
}

/**
 * user-service's Express app on the services' shared base (correlation id, identity from the internal token,
 * /health, /internal/* closed without one). It has no broker: its /health is its database. It never listens.
 */
export function createApp(deps: AppDeps): Express {
  const app = createServiceApp({ service: 'user-service', ...deps, health: serviceHealth(deps) });
  // The gateway's proxy appends the address it was called from to X-Forwarded-For; trusting exactly that one hop
  // makes req.ip the client's address, and whatever the client itself wrote in the header stays to the left of it.
  app.set('trust proxy', 1);
  app.use(authRoutes(deps.users));
  // Before /internal/users/:id, which would take "changes" for an id.
  app.use(userChangesRoutes(deps.changes));
  app.use(internalRoutes(deps.users));
  return finishApp(app, deps.log);
}
