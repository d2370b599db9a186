import { parseInput, route } from '@checkout-lab/kit';
import { Router } from 'express';
import { z } from 'zod';
import type { MonolithDeps } from '../../../shared/deps';
import { parseId } from '../../../shared/params';
import { currentUser, requireUser } from '../../users';
import { cartRepository } from '../data-access/cart.repository';
import { MAX_LINE_QUANTITY, addToCart, changeQuantity, removeFromCart } from '../domain/cart.use-case';

const quantity = z.number().int().min(1).max(MAX_LINE_QUANTITY);
const addSchema = z.object({ product_id: z.number().int().min(1).max(2147483647), quantity });
const changeSchema = z.object({ quantity });

export function cartRoutes(deps: MonolithDeps): Router {
  const router = Router();
  const { db } = deps;
  router.use('/cart', requireUser(deps));
  router.get(
    '/cart',
    route(async (_req, res) => {
      res.json(await cartRepository(db).read(currentUser(res).id));
    }),
  );
  router.post(
    '/cart/items',
    route(async (req, res) => {
      const input = parseInput(addSchema, req.body);
      res.status(201).json(await addToCart(db, currentUser(res).id, input.product_id, input.quantity));
    }),
  );
  router.patch(
    '/cart/items/:product_id',
    route(async (req, res) => {
      const productId = parseId(req.params.product_id, 'product_id');
      const input = parseInput(changeSchema, req.body);
      res.json(await changeQuantity(db, currentUser(res).id, productId, input.quantity));
    }),
  );
  router.delete(
    '/cart/items/:product_id',
    route(async (req, res) => {
      res.json(await removeFromCart(db, currentUser(res).id, parseId(req.params.product_id, 'product_id')));
    }),
  );
  return router;
}
