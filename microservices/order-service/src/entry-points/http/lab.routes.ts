import { internalLabRoutes, jsonRoute, type Pool, parseSince } from '@checkout-lab/shared';
import type { Router } from 'express';
import { orderRepository } from '../../data-access/order.repository';
import type { OrderFaults } from '../../domain/faults';

/** Internal lab endpoints: the gateway calls them for /api/lab/*; they are not routed from outside. */
export function labRoutes(deps: { pool: Pool; faults: OrderFaults }): Router {
  const router = internalLabRoutes({
    service: 'order-service',
    faults: deps.faults,
    audit: async (since) => ({ orders: await orderRepository.audit(deps.pool, since) }),
    reset: () => orderRepository.reset(deps.pool),
  });
  router.get(
    '/internal/lab/orders',
    jsonRoute((req) => orderRepository.listSince(deps.pool, parseSince(req.query.since))),
  );
  return router;
}
