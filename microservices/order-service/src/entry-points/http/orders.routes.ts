import { CheckoutHeadersSchema } from '@checkout-lab/contract';
import { errors, parseId, parseInput, route } from '@checkout-lab/kit';
import { forwardHeaders, identityOf, requireUser } from '@checkout-lab/shared';
import { Router } from 'express';
import { z } from 'zod';
import { type Order, orderRepository } from '../../data-access/order.repository';
import { type CheckoutDeps, checkout } from '../../domain/checkout.use-case';

/** The hold sweep's path parameter: a cart hold's uuid. */
const holdIdParams = z.object({ hold_id: z.uuid() });

/** The contract's Order JSON: the owner and the correlation id stay inside. */
export function toOrderJson(order: Order) {
  const { user_id: _user, user_email: _email, correlation_id: _correlation, ...json } = order;
  return json;
}

export function ordersRoutes(deps: CheckoutDeps): Router {
  const router = Router();

  router.post(
    '/api/orders/checkout',
    requireUser,
    route(async (req, res) => {
      const startedAt = { wall: new Date(), hr: process.hrtime.bigint() };
      const { 'Idempotency-Key': header } = parseInput(CheckoutHeadersSchema, {
        'Idempotency-Key': req.header('idempotency-key'),
      });
      const key = header ?? null;
      const { order, replayed } = await checkout(deps, identityOf(req), {
        requestId: req.requestId,
        idempotencyKey: key,
        startedAt,
        forwardHeaders: forwardHeaders(req),
      });
      // An answer from an earlier request with the same key says so, as on the monolith.
      if (replayed) res.set('Idempotent-Replayed', 'true');
      res.status(202).location(`/api/orders/${order.id}`).json(toOrderJson(order));
    }),
  );

  router.get(
    '/api/orders',
    requireUser,
    route(async (req, res) => {
      const orders = await orderRepository.listByUser(deps.pool, identityOf(req).userId);
      res.json(orders.map(toOrderJson));
    }),
  );

  router.get(
    '/api/orders/:id',
    requireUser,
    route(async (req, res) => {
      const identity = identityOf(req);
      const order = await orderRepository.findById(deps.pool, parseId(req.params.id));
      // Someone else's order is a 404, not a 403: its existence is not the caller's business.
      if (!order || (order.user_id !== identity.userId && !identity.isAdmin)) throw errors.notFound('Order');
      res.json(toOrderJson(order));
    }),
  );

  // Internal, never routed from outside: cart-service asks it about checkout holds nobody settled in time.
  router.get(
    '/internal/orders/by-cart-hold/:hold_id',
    route(async (req, res) => {
      const { hold_id } = parseInput(holdIdParams, { hold_id: req.params.hold_id });
      const id = await orderRepository.idForCartHold(deps.pool, hold_id);
      if (id === null) throw errors.notFound('Order');
      res.json({ order_id: id });
    }),
  );

  return router;
}
