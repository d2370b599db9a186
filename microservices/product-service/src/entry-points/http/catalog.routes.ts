import { parseId, parseInput, route } from '@checkout-lab/kit';
import { identityOf, jsonRoute, requireAdmin, requireUser } from '@checkout-lab/shared';
import { type Request, type RequestHandler, Router } from 'express';
import type { CatalogUseCases } from '../../domain/catalog.use-case';
import {
  NewCategorySchema,
  NewProductSchema,
  NewReviewSchema,
  ProductPatchSchema,
  ProductQuerySchema,
} from '@checkout-lab/contract';

/** A route that creates what the request asks for and answers 201 with it; a throw goes to the error handler. */
function createdRoute(create: (req: Request) => Promise<unknown>): RequestHandler {
  return route(async (req, res) => {
    res.status(201).json(await create(req));
  });
}

/** The contract's catalogue endpoints. Who may call is decided from the identity the gateway forwards. */
export function catalogRoutes(catalog: CatalogUseCases): Router {
  const router = Router();

  router.get(
    '/api/categories',
    jsonRoute(() => catalog.listCategories()),
  );
  router.post(
    '/api/categories',
    requireAdmin,
    createdRoute((req) => catalog.createCategory(parseInput(NewCategorySchema, req.body))),
  );

  router.get(
    '/api/products',
    jsonRoute((req) => catalog.listProducts(parseInput(ProductQuerySchema, req.query))),
  );
  router.get(
    '/api/products/:id',
    jsonRoute((req) => catalog.getProduct(parseId(req.params.id))),
  );
  router.post(
    '/api/products',
    requireAdmin,
    createdRoute((req) => catalog.createProduct(parseInput(NewProductSchema, req.body))),
  );
  router.patch(
    '/api/products/:id',
    requireAdmin,
    jsonRoute((req) => catalog.updateProduct(parseId(req.params.id), parseInput(ProductPatchSchema, req.body))),
  );
  router.delete(
    '/api/products/:id',
    requireAdmin,
    route(async (req, res) => {
      await catalog.deleteProduct(parseId(req.params.id));
      res.status(204).end();
    }),
  );

  router.get(
    '/api/products/:id/reviews',
    jsonRoute((req) => catalog.listReviews(parseId(req.params.id))),
  );
  router.post(
    '/api/products/:id/reviews',
    requireUser,
    createdRoute((req) => {
      const productId = parseId(req.params.id);
      const input = parseInput(NewReviewSchema, req.body);
      return catalog.addReview({ ...input, product_id: productId, user_id: identityOf(req).userId });
    }),
  );

  return router;
}
