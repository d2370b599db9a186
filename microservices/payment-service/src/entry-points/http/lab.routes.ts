import { parseInput, route } from '@checkout-lab/kit';
import { type Pool, parseSince } from '@checkout-lab/shared';
import { Router } from 'express';
import { paymentRepository } from '../../data-access/payment.repository';
import { knobsUpdateSchema, type PaymentKnobs } from '../../domain/knobs';

/** Internal lab endpoints, called by the gateway's /api/lab/*. */
export function labRoutes(deps: { pool: Pool; knobs: PaymentKnobs }): Router {
  const router = Router();
  router.get('/internal/lab/config', (_req, res) => {
    res.json({ ...deps.knobs });
  });
  router.put(
    '/internal/lab/config',
    route(async (req, res) => {
      const changes = parseInput(knobsUpdateSchema, req.body ?? {});
      Object.assign(deps.knobs, changes);
      res.json({ ...deps.knobs });
    }),
  );
  router.get(
    '/internal/lab/audit',
    route(async (req, res) => {
      res.json({ payments: await paymentRepository.audit(deps.pool, parseSince(req.query.since)) });
    }),
  );
  router.post(
    '/internal/lab/reset',
    route(async (_req, res) => {
      await paymentRepository.reset(deps.pool);
      res.json({ status: 'ok', service: 'payment-service' });
    }),
  );
  return router;
}
