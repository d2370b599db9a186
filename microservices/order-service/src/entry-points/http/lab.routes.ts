import { route } from '@checkout-lab/kit';
import { type Pool, parseSince } from '@checkout-lab/shared';
import { Router } from 'express';
import { orderRepository } from '../../data-access/order.repository';

/** Internal lab endpoints: the gateway calls them for /api/lab/*; they are not routed from outside. */
export function labRoutes(deps: { pool: Pool }): Router {
  const router = Router();
  router.get(
    '/internal/lab/orders',
    route(async (req, res) => {
      res.json(await orderRepository.listSince(deps.pool, parseSince(req.query.since)));
    }),
  );
  router.get(
    '/internal/lab/audit',
    route(async (req, res) => {
      res.json({ orders: await orderRepository.audit(deps.pool, parseSince(req.query.since)) });
    }),
  );
  router.post(
    '/internal/lab/reset',
    route(async (_req, res) => {
      await orderRepository.reset(deps.pool);
      res.json({ status: 'ok', service: 'order-service' });
    }),
  );
  return router;
}
