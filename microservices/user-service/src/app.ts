import crypto from 'node:crypto';
import { errorHandler, type Logger, notFoundHandler } from '@checkout-lab/kit';
import express from 'express';
import type pg from 'pg';
import type { UserUseCases } from './domain/users.use-case';
import { authRoutes } from './entry-points/http/auth.routes';

export interface AppDeps {
  pool: pg.Pool;
  users: UserUseCases;
  log: Logger;
}

/** Builds user-service's Express app; it never listens (tests and index.ts do). */
export function createApp({ pool, users, log }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // The correlation id the gateway sends comes back on the response and in every log line of this request.
  app.use((req, res, next) => {
    const requestId = req.header('x-request-id') || crypto.randomUUID();
    req.headers['x-request-id'] = requestId;
    res.setHeader('x-request-id', requestId);
    next();
  });
  app.use(express.json({ limit: '100kb' }));

  app.get('/health', async (_req, res) => {
    try {
      await pool.query('SELECT 1');
      res.json({ status: 'ok', service: 'user-service', database: 'ok' });
    } catch {
      res.status(503).json({ status: 'degraded', service: 'user-service', database: 'down' });
    }
  });
  app.use(authRoutes(users));

  // The error handler is placed after every route.
  app.use(notFoundHandler);
  app.use(
    errorHandler((error, req) => log.error({ err: error, path: req.path, request_id: req.header('x-request-id') })),
  );
  return app;
}
