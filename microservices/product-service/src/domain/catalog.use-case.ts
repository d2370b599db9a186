import type { Product } from '@checkout-lab/contract';
import { withTransaction } from '@checkout-lab/shared';
import type pg from 'pg';
import { catalogRepository as catalog, type NewProduct } from '../data-access/catalog.repository';
import { catalogErrors } from './catalog.errors';

/** The catalogue's use cases: each reads as the rule it enforces, then hands the SQL to the repository. */
export function catalogUseCases(pool: pg.Pool) {
  async function getProduct(id: number): Promise<Product> {
    const product = await catalog.findProduct(pool, id);
    if (!product) throw catalogErrors.productNotFound(id);
    return product;
  }

  async function assertCategoryExists(id: number): Promise<void> {
    if (!(await catalog.categoryExists(pool, id))) throw catalogErrors.categoryNotFound(id);
  }

  return {
    listCategories: () => catalog.listCategories(pool),

    async createCategory(input: { name: string; description: string }) {
      const created = await catalog.insertCategory(pool, input);
      if (!created) throw catalogErrors.categoryExists(input.name);
      return created;
    },

    listProducts: (filter: Parameters<typeof catalog.listProducts>[1]) => catalog.listProducts(pool, filter),

    getProduct,

    async createProduct(input: NewProduct): Promise<Product> {
      await assertCategoryExists(input.category_id);
      const id = await withTransaction(pool, (client) => catalog.insertProduct(client, input));
      return getProduct(id);
    },

    async updateProduct(id: number, changes: Partial<NewProduct>): Promise<Product> {
      await getProduct(id);
      if (changes.category_id !== undefined) await assertCategoryExists(changes.category_id);
      await withTransaction(pool, (client) => catalog.updateProduct(client, id, changes));
      return getProduct(id);
    },

    async deleteProduct(id: number): Promise<void> {
      await getProduct(id);
      if (await catalog.productWasOrdered(pool, id)) throw catalogErrors.productWasOrdered(id);
      await catalog.deleteProduct(pool, id);
    },

    async listReviews(productId: number) {
      await getProduct(productId);
      return catalog.listReviews(pool, productId);
    },

    async addReview(input: { product_id: number; user_id: number; rating: number; comment: string }) {
      await getProduct(input.product_id);
      return catalog.insertReview(pool, input);
    },
  };
}

export type CatalogUseCases = ReturnType<typeof catalogUseCases>;
