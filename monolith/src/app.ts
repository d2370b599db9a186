import { openApiDocument } from '@checkout-lab/contract';
import { errorHandler, notFoundHandler } from '@checkout-lab/kit';
import express, { type Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import { cartRoutes } from './modules/cart';
import { catalogRoutes } from './modules/products';
import { notificationsRoutes } from './modules/email';
import { labRoutes } from './modules/lab';
import { ordersRoutes } from './modules/orders';
import { authRoutes } from './modules/users';
import type { MonolithDeps } from './shared/deps';

/** The whole shop as one Express app. It never listens: startMonolith does, and tests use port 0. */
export function createApp(deps: MonolithDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '100kb' }));

  // Degraded (503) when the database does not answer, or when the mail server is failing: every checkout then
  // ends in 503 EMAIL_FAILED, so the shop cannot take orders although its process is fine.
  app.get('/health', async (_req, res) => {
    const database = await deps.db.query('SELECT 1').then(
      () => 'ok' as const,
      () => 'unreachable' as const,
    );
    const smtp = deps.mailer.health();
    const ok = database === 'ok' && smtp.status === 'ok';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', service: 'monolith', database, smtp });
  });
  // The contract's document for this stack, generated from the schemas the routes validate with; Swagger UI reads it.
  const document = openApiDocument('monolith');
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { swaggerOptions: { persistAuthorization: true } }));

  const api = express.Router();
  api.use(authRoutes(deps));
  api.use(catalogRoutes(deps));
  api.use(cartRoutes(deps));
  api.use(ordersRoutes(deps));
  api.use(notificationsRoutes(deps));
  api.use(labRoutes(deps));
  app.use('/api', api);

  // The error handler is placed after every route, so it sees every error.
  app.use(notFoundHandler);
  app.use(
    errorHandler((error, req) => deps.log.error({ err: error, method: req.method, path: req.path }, 'unhandled error')),
  );
  return app;
}
