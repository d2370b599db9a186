import { errors } from '@checkout-lab/kit';

export const catalogErrors = {
  categoryExists: (name: string) => errors.conflict('CATEGORY_EXISTS', `A category named "${name}" already exists`),
  productNotFound: (id: number) => errors.notFound(`Product ${id}`),
  categoryNotFound: (id: number) => errors.notFound(`Category ${id}`),
  productWasOrdered: (id: number) =>
    errors.conflict('PRODUCT_HAS_ORDERS', `Product ${id} appears in orders and cannot be deleted`),
};
