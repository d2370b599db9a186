import { parseInput, route } from '@checkout-lab/kit';
import { Router } from 'express';
import { z } from 'zod';
import type { MonolithDeps } from '../../../shared/deps';
import { fromCents, toCents } from '../../../shared/money';
import { idSchema, parseId } from '../../../shared/params';
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

/** A price as "12.50" or 12.5: non-negative, at most two decimals, below 100 million. */
const price = z
  .union([z.string().regex(/^\d{1,8}(\.\d{1,2})?$/, 'a decimal with at most two places, like "19.99"'), z.number()])
  .refine((value) => typeof value === 'string' || (Number.isFinite(value) && value >= 0 && value < 1e8), {
    message: 'a non-negative amount below 100000000',
  })
  .refine((value) => typeof value === 'string' || Math.round(value * 100) === value * 100, {
    message: 'at most two decimal places',
  })
  .transform((value) => fromCents(toCents(typeof value === 'number' ? value.toFixed(2) : value)));

const stock = z.number().int().min(0).max(1_000_000);

const categorySchema = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(2000).default(''),
});

const productSchema = z.object({
  name: z.string().trim().min(1).max(255),
  description: z.string().max(5000).default(''),
  price,
  category_id: z.number().int().min(1).max(2147483647),
  stock,
});

const productPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(255),
    description: z.string().max(5000),
    price,
    category_id: z.number().int().min(1).max(2147483647),
    stock,
  })
  .partial()
  .strict()
  .refine((changes) => Object.keys(changes).length > 0, { message: 'send at least one field to change' });

const listSchema = z.object({
  category_id: idSchema.optional(),
  q: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const reviewSchema = z.object({
  rating: z.number().int().min(1).max(5),
  comment: z.string().max(5000).default(''),
});

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
      res.status(201).json(await createCategory(db, parseInput(categorySchema, req.body)));
    }),
  );

  router.get(
    '/products',
    route(async (req, res) => {
      res.json(await catalogRepository(db).listProducts(parseInput(listSchema, req.query)));
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
      const input = parseInput(productSchema, req.body);
      res.status(201).json(await createProduct(db, input));
    }),
  );
  router.patch(
    '/products/:id',
    requireAdmin(deps),
    route(async (req, res) => {
      const id = parseId(req.params.id);
      res.json(await updateProduct(db, id, parseInput(productPatchSchema, req.body)));
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
      const input = parseInput(reviewSchema, req.body);
      res.status(201).json(await addReview(db, { ...input, product_id: productId, user_id: currentUser(res).id }));
    }),
  );
  return router;
}
