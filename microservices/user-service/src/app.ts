import type { Logger } from '@checkout-lab/kit';
import { createServiceApp, databaseIsUp, finishApp } from '@checkout-lab/shared';
import type express from 'express';
import type pg from 'pg';
import type { UserUseCases } from './domain/users.use-case';
import { authRoutes, internalRoutes } from './entry-points/http/auth.routes';

export interface AppDeps {
  pool: pg.Pool;
  users: UserUseCases;
  log: Logger;
  /** INTERNAL_SECRET: the gateway's calls prove themselves with it. */
  internalSecret: string;
}

/**
 * Builds user-service's Express app on the services' shared base (correlation id, identity from the internal token,
 * /health, /internal/* closed without one); it never listens (tests and index.ts do).
 */
export function createApp({ pool, users, log, internalSecret }: AppDeps): express.Express {
  const app = createServiceApp({
    service: 'user-service',
    log,
    internalSecret,
    health: async () => {
      const database = await databaseIsUp(pool);
      return { status: database ? 'ok' : 'degraded', database: database ? 'ok' : 'down' };
    },
  });
  // The gateway's proxy appends the address it was called from to X-Forwarded-For; trusting exactly that one hop
  // makes req.ip the client's address, and whatever the client itself wrote in the header stays to the left of it.
  app.set('trust proxy', 1);
  app.use(authRoutes(users));
  app.use(internalRoutes(users));
  return finishApp(app, log);
}
