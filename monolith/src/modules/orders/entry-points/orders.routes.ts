import { performance } from 'node:perf_hooks';
import { CheckoutHeadersSchema } from '@checkout-lab/contract';
import { errors, parseInput, route } from '@checkout-lab/kit';
import { type RequestHandler, Router } from 'express';
import type { MonolithDeps } from '../../../shared/deps';
import { parseId } from '../../../shared/params';
import { currentUser, requireUser } from '../../users';
import { orderRepository } from '../data-access/order.repository';
import { checkoutWithFixes } from '../domain/checkout-fixed.use-case';
import { checkout } from '../domain/checkout.use-case';

/** Notes the moment the request arrived, before authentication: processing_duration_ms counts from here. */
const stampArrival: RequestHandler = (_req, res, next) => {
  res.locals.startedAt = { perf: performance.now(), wall: Date.now() };
  next();
};

export function ordersRoutes(deps: MonolithDeps): Router {
  const router = Router();
  router.post(
    '/orders/checkout',
    stampArrival,
    requireUser(deps),
    route(async (req, res) => {
      const { 'Idempotency-Key': idempotencyKey } = parseInput(CheckoutHeadersSchema, {
        'Idempotency-Key': req.get('Idempotency-Key'),
      });
      // With every fix off, the blocking checkout; with any on, the fixed one beside it (docs/api.md, "Fixes").
      const useFixes = Object.values(deps.fixes).some(Boolean);
      const result = await (useFixes ? checkoutWithFixes : checkout)(deps, currentUser(res), {
        startedAt: res.locals.startedAt,
        idempotencyKey,
      });
      if (result.replayed) res.set('Idempotent-Replayed', 'true');
      // LESSON: The 202 and polling (LESSONS.md#the-202-and-polling). 201 and a final order, after all eleven steps;
      // with the fix accept_then_process, 202 and a pending order, as the microservices answer.
      const status = result.order.status === 'pending' ? 202 : 201;
      res.status(status).location(`/api/orders/${result.order.id}`).json(result.order);
    }),
  );
  router.get(
    '/orders',
    requireUser(deps),
    route(async (_req, res) => {
      res.json(await orderRepository(deps.db).listForUser(currentUser(res).id));
    }),
  );
  router.get(
    '/orders/:id',
    requireUser(deps),
    route(async (req, res) => {
      const id = parseId(req.params.id);
      const order = await orderRepository(deps.db).findById(id);
      const user = currentUser(res);
      // Someone else's order is a 404, as on the microservices: whether it exists is not the caller's business.
      if (!order || (order.user_id !== user.id && !user.is_admin)) throw errors.notFound(`Order ${id}`);
      const { user_id: _owner, ...body } = order;
      res.json(body);
    }),
  );
  return router;
}
