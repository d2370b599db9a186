import { CartItemInputSchema, QuantitySchema } from '@checkout-lab/contract';
import { parseInput, route } from '@checkout-lab/kit';
import { Router } from 'express';
import type { MonolithDeps } from '../../../shared/deps';
import { parseId } from '../../../shared/params';
import { currentUser, requireUser } from '../../users';
import { cartRepository } from '../data-access/cart.repository';
import { addToCart, changeQuantity, removeFromCart } from '../domain/cart.use-case';

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
      const input = parseInput(CartItemInputSchema, req.body);
      res.status(201).json(await addToCart(db, currentUser(res).id, input.product_id, input.quantity));
    }),
  );
  router.patch(
    '/cart/items/:product_id',
    route(async (req, res) => {
      const productId = parseId(req.params.product_id, 'product_id');
      const input = parseInput(QuantitySchema, req.body);
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
