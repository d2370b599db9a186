import {
  NewCategorySchema,
  NewProductSchema,
  NewReviewSchema,
  ProductPatchSchema,
  ProductQuerySchema,
} from '@checkout-lab/contract';
import { parseInput, route } from '@checkout-lab/kit';
import { Router } from 'express';
import type { MonolithDeps } from '../../../shared/deps';
import { parseId } from '../../../shared/params';
import { currentUser, requireAdmin, requireUser } from '../../users';
import { catalogRepository, toCategory } from '../data-access/catalog.repository';
import {
  addReview,
  createCategory,
  createProduct,
  deleteProduct,
  getProduct,
  updateProduct,
} from '../domain/catalog.use-case';

export function catalogRoutes(deps: MonolithDeps): Router {
  const router = Router();
  const { db } = deps;

  router.get(
    '/categories',
    route(async (_req, res) => {
      res.json((await catalogRepository(db).listCategories()).map(toCategory));
    }),
  );
  router.post(
    '/categories',
    requireAdmin(deps),
    route(async (req, res) => {
      res.status(201).json(await createCategory(db, parseInput(NewCategorySchema, req.body)));
    }),
  );

  router.get(
    '/products',
    route(async (req, res) => {
      res.json(await catalogRepository(db).listProducts(parseInput(ProductQuerySchema, req.query)));
    }),
  );
  router.get(
    '/products/:id',
    route(async (req, res) => {
      res.json(await getProduct(db, parseId(req.params.id)));
    }),
  );
  router.post(
    '/products',
    requireAdmin(deps),
    route(async (req, res) => {
      const input = parseInput(NewProductSchema, req.body);
      res.status(201).json(await createProduct(db, input));
    }),
  );
  router.patch(
    '/products/:id',
    requireAdmin(deps),
    route(async (req, res) => {
      const id = parseId(req.params.id);
      res.json(await updateProduct(db, id, parseInput(ProductPatchSchema, req.body)));
    }),
  );
  router.delete(
    '/products/:id',
    requireAdmin(deps),
    route(async (req, res) => {
      await deleteProduct(db, parseId(req.params.id));
      res.status(204).end();
    }),
  );

  router.get(
    '/products/:id/reviews',
    route(async (req, res) => {
      const product = await getProduct(db, parseId(req.params.id));
      res.json(await catalogRepository(db).listReviews(product.id));
    }),
  );
  router.post(
    '/products/:id/reviews',
    requireUser(deps),
    route(async (req, res) => {
      const productId = parseId(req.params.id);
      const input = parseInput(NewReviewSchema, req.body);
      res.status(201).json(await addReview(db, { ...input, product_id: productId, user_id: currentUser(res).id }));
    }),
  );
  return router;
}
