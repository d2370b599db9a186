import { errors } from '@checkout-lab/kit';

import { MAX_LINE_QUANTITY } from '@checkout-lab/contract';

export { MAX_LINE_QUANTITY };

export const cartErrors = {
  productNotFound: (id: number) => errors.notFound(`Product ${id}`),
  notInCart: (id: number) => errors.notFound(`Product ${id} in the cart`),
  tooMany: () =>
    errors.validation([{ field: 'quantity', message: `at most ${MAX_LINE_QUANTITY} per product in a cart` }]),
  outOfStock: (product: { id: number; stock: number }, requested: number) =>
    errors.conflict('OUT_OF_STOCK', `Only ${product.stock} of product ${product.id} left`, {
      product_id: product.id,
      requested,
      available: product.stock,
    }),
};
