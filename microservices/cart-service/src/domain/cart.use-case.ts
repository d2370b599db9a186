import { withTransaction } from '@checkout-lab/shared';
import type pg from 'pg';
import { type CartLine, cartRepository as carts } from '../data-access/cart.repository';
import type { ProductClient, RemoteProduct } from '../data-access/product.client';
import { cartErrors, MAX_LINE_QUANTITY } from './cart.errors';

export interface Cart {
  items: (CartLine & { line_total: string })[];
  total: string;
}

const toCents = (amount: string): number => {
  const [whole, fraction = ''] = amount.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
};
const fromCents = (cents: number): string => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/** Sums in integer cents, so 0.10 + 0.20 is exactly 0.30. */
export function priceCart(lines: CartLine[]): Cart {
  let total = 0;
  const items = lines.map((line) => {
    const lineTotal = toCents(line.price) * line.quantity;
    total += lineTotal;
    return { ...line, line_total: fromCents(lineTotal) };
  });
  return { items, total: fromCents(total) };
}

/**
 * The cart's use cases. The stock check here is advisory (the buyer learns early); the real guarantee is the
 * atomic reservation in product-service when the order is placed.
 */
export function cartUseCases(pool: pg.Pool, products: ProductClient) {
  async function assertProductExists(productId: number, requestId: string): Promise<RemoteProduct> {
    const product = await products.find(productId, requestId);
    if (!product) throw cartErrors.productNotFound(productId);
    return product;
  }

  const read = async (userId: number): Promise<Cart> => priceCart(await carts.lines(pool, userId));

  return {
    read,

    async add(userId: number, productId: number, quantity: number, requestId: string): Promise<Cart> {
      const product = await assertProductExists(productId, requestId);
      await withTransaction(pool, async (client) => {
        // One statement adds up atomically; a check that fails rolls the addition back.
        const wanted = await carts.addQuantity(client, userId, product, quantity);
        if (wanted > MAX_LINE_QUANTITY) throw cartErrors.tooMany();
        if (wanted > product.stock) throw cartErrors.outOfStock(product, wanted);
      });
      return read(userId);
    },

    async change(userId: number, productId: number, quantity: number, requestId: string): Promise<Cart> {
      if (!(await carts.hasLine(pool, userId, productId))) throw cartErrors.notInCart(productId);
      const product = await assertProductExists(productId, requestId);
      if (quantity > product.stock) throw cartErrors.outOfStock(product, quantity);
      if (!(await carts.setQuantity(pool, userId, product, quantity))) throw cartErrors.notInCart(productId);
      return read(userId);
    },

    async remove(userId: number, productId: number): Promise<Cart> {
      if (!(await carts.removeLine(pool, userId, productId))) throw cartErrors.notInCart(productId);
      return read(userId);
    },

    /** order.order.created: the ordered lines leave the cart. Deleting what is gone already is a no-op. */
    /**
     * LESSON: eventual consistency (LESSONS.md#the-202-and-polling). The cart empties when order.order.created
     * arrives, a moment after the 202: a buyer who adds the same product again in between keeps the new one, because
     * only the ordered quantities leave.
     */
    async clearOrdered(
      client: pg.PoolClient,
      userId: number,
      orderId: number,
      items: { product_id: number; quantity: number }[],
    ): Promise<boolean> {
      return carts.subtractOrder(client, userId, orderId, items);
    },

    reset: () => carts.clearAll(pool),
  };
}

export type CartUseCases = ReturnType<typeof cartUseCases>;
