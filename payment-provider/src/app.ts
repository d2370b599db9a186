import { errorHandler, notFoundHandler } from '@checkout-lab/kit';
import express, { type Express } from 'express';
import { chargesRoutes, type ProviderDeps } from './charges.routes';

/** The provider's Express app: its charges, the lab's reset of one merchant, and /health. */
export function createApp(deps: ProviderDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '16kb' }));
  app.get('/health', async (_req, res) => {
    try {
      await deps.pool.query('SELECT 1');
      res.json({ status: 'ok', service: 'payment-provider', database: 'ok' });
    } catch {
      res.status(503).json({ status: 'degraded', service: 'payment-provider', database: 'down' });
    }
  });
  app.use(chargesRoutes(deps));
  app.use(notFoundHandler);
  app.use(errorHandler((error, req) => deps.log.error({ err: error, path: req.path }, 'request failed')));
  return app;
}
