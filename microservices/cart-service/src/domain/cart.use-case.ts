import type pg from 'pg';
import { type CartLine, cartRepository as carts } from '../data-access/cart.repository';
import type { OrderClient } from '../data-access/order.client';
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
export function cartUseCases(pool: pg.Pool, products: ProductClient, orders: OrderClient) {
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
      // One statement adds up atomically within the limit and reads the cart back; a refused addition writes nothing.
      const { added, lines } = await carts.addWithin(
        pool,
        userId,
        product,
        quantity,
        Math.min(MAX_LINE_QUANTITY, product.stock),
      );
      if (!added) {
        const wanted = (lines.find((line) => line.product_id === productId)?.quantity ?? 0) + quantity;
        if (wanted > MAX_LINE_QUANTITY) throw cartErrors.tooMany();
        throw cartErrors.outOfStock(product, wanted);
      }
      return priceCart(lines);
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

    // LESSON: The 202 and polling (LESSONS.md#the-202-and-polling)
    // LESSON: One cart, one order (LESSONS.md#one-cart-one-order)
    /**
     * The cart is cleared once the order is accepted. Checkout takes the
     * cart: its lines move to a hold in the same statement that reads them, so when the 202 reaches the buyer the
     * cart is already empty, whatever the events are doing. order.order.created settles the hold; a checkout that
     * failed gives the hold back (releaseHold), and one whose order-service died before answering is found by
     * sweepHolds. A retry with the checkout's Idempotency-Key gets the lines its first attempt took, not an empty cart.
     */
    async take(userId: number, holdId: string, idempotencyKey: string | null): Promise<Cart & { hold_id: string }> {
      const held = (hold: { id: string; lines: CartLine[] }) => ({ ...priceCart(hold.lines), hold_id: hold.id });
      const earlier = async () => (idempotencyKey ? carts.heldFor(pool, userId, idempotencyKey) : null);
      const before = await earlier();
      if (before) return held(before);
      try {
        return held({ id: holdId, lines: await carts.take(pool, userId, holdId, idempotencyKey) });
      } catch (error) {
        // Two attempts with one key took the cart at the same moment: the other's hold is the one.
        const other = (error as { code?: string }).code === '23505' ? await earlier() : null;
        if (!other) throw error;
        return held(other);
      }
    },

    /** order.order.created, inside the consumer's transaction: the order exists, the hold is done with. */
    settleHold: (client: pg.PoolClient, holdId: string) => carts.settleHold(client, holdId),

    /** order-service could not write the order: the held lines go back into the cart. */
    releaseHold: (holdId: string) => carts.releaseHold(pool, holdId),

    /**
     * Holds older than `olderThanMs` belong to checkouts nobody settled: an order-service that died between taking
     * the cart and answering, or events held up by a broker outage. order-service's own database decides: an order
     * written with the hold settles it, no order puts the lines back, no answer leaves it for the next sweep.
     */
    async sweepHolds(olderThanMs: number): Promise<{ settled: number; released: number; unknown: number }> {
      const result = { settled: 0, released: 0, unknown: 0 };
      for (const holdId of await carts.staleHolds(pool, olderThanMs)) {
        const outcome = await orders.outcomeOf(holdId);
        if (outcome === 'ordered') {
          await carts.settleHold(pool, holdId);
          result.settled++;
        } else if (outcome === 'not_ordered') {
          await carts.releaseHold(pool, holdId);
          result.released++;
        } else result.unknown++;
      }
      return result;
    },

    reset: () => carts.clearAll(pool),
  };
}

export type CartUseCases = ReturnType<typeof cartUseCases>;
