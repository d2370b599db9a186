import type { DataSource, EntityManager } from 'typeorm';
import { fromCents, toCents } from '../../../shared/money';

export interface CartLine {
  product_id: number;
  name: string;
  price: string;
  quantity: number;
  line_total: string;
}

export interface Cart {
  items: CartLine[];
  total: string;
}

export function cartRepository(db: DataSource | EntityManager) {
  return {
    /** The user's cart id, creating the cart on first use (one cart per user, the unique index decides). */
    async ensureCartId(userId: number): Promise<number> {
      const rows = await db.query(
        `INSERT INTO carts (user_id) VALUES ($1)
         ON CONFLICT (user_id) DO UPDATE SET updated_at = now() RETURNING id`,
        [userId],
      );
      return rows[0].id;
    },
    async read(userId: number): Promise<Cart> {
      const rows: { product_id: number; name: string; price: string; quantity: number }[] = await db.query(
        `SELECT ci.product_id, p.name, p.price, ci.quantity
         FROM carts c JOIN cart_items ci ON ci.cart_id = c.id JOIN products p ON p.id = ci.product_id
         WHERE c.user_id = $1 ORDER BY ci.product_id`,
        [userId],
      );
      let total = 0;
      const items = rows.map((row) => {
        const line = toCents(row.price) * row.quantity;
        total += line;
        return { ...row, line_total: fromCents(line) };
      });
      return { items, total: fromCents(total) };
    },
    async quantityOf(cartId: number, productId: number): Promise<number> {
      const rows = await db.query('SELECT quantity FROM cart_items WHERE cart_id = $1 AND product_id = $2', [
        cartId,
        productId,
      ]);
      return rows[0]?.quantity ?? 0;
    },
    async setQuantity(cartId: number, productId: number, quantity: number): Promise<void> {
      await db.query(
        `INSERT INTO cart_items (cart_id, product_id, quantity) VALUES ($1, $2, $3)
         ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = EXCLUDED.quantity`,
        [cartId, productId, quantity],
      );
    },
    /** False when the product was not in the cart. */
    async removeItem(userId: number, productId: number): Promise<boolean> {
      const [, count] = await db.query(
        `DELETE FROM cart_items ci USING carts c
         WHERE ci.cart_id = c.id AND c.user_id = $1 AND ci.product_id = $2`,
        [userId, productId],
      );
      return count > 0;
    },
  };
}
