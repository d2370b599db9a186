import { route } from '@checkout-lab/kit';
import { Router } from 'express';
import type { labUseCases } from '../../domain/lab.use-case';

/**
 * /internal/lab/*: called by the gateway's admin lab endpoints, never proxied to the public (the gateway answers 404
 * for /internal). Compose keeps the service ports off the host network.
 */
export function labRoutes(lab: ReturnType<typeof labUseCases>): Router {
  const router = Router();
  router.post(
    '/internal/lab/reset',
    route(async (_req, res) => {
      await lab.reset();
      res.json({ status: 'ok', service: 'product-service' });
    }),
  );
  router.get(
    '/internal/lab/audit',
    route(async (_req, res) => {
      res.json(await lab.audit());
    }),
  );
  return router;
}
