import { CartItemInputSchema, QuantitySchema } from '@checkout-lab/contract';
import { parseId, parseInput, route } from '@checkout-lab/kit';
import { identityOf, requireUser } from '@checkout-lab/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { CartUseCases } from '../../domain/cart.use-case';

// The public bodies are the contract's (the monolith parses the same schemas); the internal ones are this service's.
const holdSchema = z.object({ hold_id: z.uuid() });
const takeSchema = holdSchema.extend({ idempotency_key: z.string().min(1).max(200).nullish() });

/** The contract's /api/cart endpoints, for the buyer the internal token names (the gateway found the user). */
export function cartRoutes(cart: CartUseCases): Router {
  const router = Router();
  router.use('/api/cart', requireUser);

  router.get(
    '/api/cart',
    route(async (req, res) => {
      res.json(await cart.read(identityOf(req).userId));
    }),
  );
  router.post(
    '/api/cart/items',
    route(async (req, res) => {
      const input = parseInput(CartItemInputSchema, req.body);
      res.status(201).json(await cart.add(identityOf(req).userId, input.product_id, input.quantity, req.requestId));
    }),
  );
  router.patch(
    '/api/cart/items/:product_id',
    route(async (req, res) => {
      const productId = parseId(req.params.product_id, 'product_id');
      const input = parseInput(QuantitySchema, req.body);
      res.json(await cart.change(identityOf(req).userId, productId, input.quantity, req.requestId));
    }),
  );
  router.delete(
    '/api/cart/items/:product_id',
    route(async (req, res) => {
      res.json(await cart.remove(identityOf(req).userId, parseId(req.params.product_id, 'product_id')));
    }),
  );
  return router;
}

/**
 * /internal/*: for the other services and the gateway's lab endpoints, never proxied to the public.
 * POST /internal/carts/:user_id/checkout is how order-service takes the cart it turns into an order (the lines move
 * to the hold named in the body); POST /internal/cart-holds/:hold_id/release gives them back when no order was written.
 */
export function internalRoutes(cart: CartUseCases): Router {
  const router = Router();
  router.get(
    '/internal/carts/:user_id',
    route(async (req, res) => {
      const userId = parseId(req.params.user_id, 'user_id');
      res.json(await cart.read(userId));
    }),
  );
  router.post(
    '/internal/carts/:user_id/checkout',
    route(async (req, res) => {
      const userId = parseId(req.params.user_id, 'user_id');
      const { hold_id, idempotency_key } = parseInput(takeSchema, req.body);
      res.json(await cart.take(userId, hold_id, idempotency_key ?? null));
    }),
  );
  router.post(
    '/internal/cart-holds/:hold_id/release',
    route(async (req, res) => {
      const { hold_id } = parseInput(holdSchema, { hold_id: req.params.hold_id });
      res.json({ hold_id, released_lines: await cart.releaseHold(hold_id) });
    }),
  );
  router.post(
    '/internal/lab/reset',
    route(async (_req, res) => {
      await cart.reset();
      res.json({ status: 'ok', service: 'cart-service' });
    }),
  );
  return router;
}
