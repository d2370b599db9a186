import type pg from 'pg';

export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface CartLine {
  product_id: number;
  name: string;
  price: string;
  quantity: number;
}

export interface ProductSnapshot {
  id: number;
  name: string;
  price: string;
}

export const cartRepository = {
  async lines(db: Queryable, userId: number): Promise<CartLine[]> {
    const { rows } = await db.query<CartLine>(
      `SELECT product_id, name, unit_price AS price, quantity FROM cart_items WHERE user_id = $1 ORDER BY product_id`,
      [userId],
    );
    return rows;
  },

  /** Adds quantity to the line (or creates it) in one statement and returns the new total quantity of the line. */
  async addQuantity(db: Queryable, userId: number, product: ProductSnapshot, quantity: number): Promise<number> {
    const { rows } = await db.query<{ quantity: number }>(
      `INSERT INTO cart_items (user_id, product_id, name, unit_price, quantity) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, product_id) DO UPDATE
         SET quantity = cart_items.quantity + EXCLUDED.quantity, name = EXCLUDED.name,
             unit_price = EXCLUDED.unit_price, updated_at = now()
       RETURNING quantity`,
      [userId, product.id, product.name, product.price, quantity],
    );
    return rows[0].quantity;
  },

  /** Sets the quantity of an existing line; false when the product is not in the cart. */
  async setQuantity(db: Queryable, userId: number, product: ProductSnapshot, quantity: number): Promise<boolean> {
    const { rowCount } = await db.query(
      `UPDATE cart_items SET quantity = $3, name = $4, unit_price = $5, updated_at = now()
       WHERE user_id = $1 AND product_id = $2`,
      [userId, product.id, quantity, product.name, product.price],
    );
    return rowCount === 1;
  },

  async hasLine(db: Queryable, userId: number, productId: number): Promise<boolean> {
    const { rowCount } = await db.query('SELECT 1 FROM cart_items WHERE user_id = $1 AND product_id = $2', [
      userId,
      productId,
    ]);
    return rowCount === 1;
  },

  async removeLine(db: Queryable, userId: number, productId: number): Promise<boolean> {
    const { rowCount } = await db.query('DELETE FROM cart_items WHERE user_id = $1 AND product_id = $2', [
      userId,
      productId,
    ]);
    return rowCount === 1;
  },

  /**
   * Takes an accepted order's quantities out of the user's cart, once per order: a line bought whole goes, a line the
   * buyer added to again after checking out keeps the extra. Returns false when this order was cleared already.
   */
  async subtractOrder(
    db: Queryable,
    userId: number,
    orderId: number,
    items: { product_id: number; quantity: number }[],
  ): Promise<boolean> {
    const first = await db.query('INSERT INTO cleared_orders (order_id) VALUES ($1) ON CONFLICT DO NOTHING', [orderId]);
    if (first.rowCount !== 1) return false;
    const productIds = items.map((item) => item.product_id);
    const quantities = items.map((item) => item.quantity);
    await db.query(
      `DELETE FROM cart_items c USING unnest($2::int[], $3::int[]) AS o(product_id, quantity)
       WHERE c.user_id = $1 AND c.product_id = o.product_id AND c.quantity <= o.quantity`,
      [userId, productIds, quantities],
    );
    await db.query(
      `UPDATE cart_items c SET quantity = c.quantity - o.quantity, updated_at = now()
       FROM unnest($2::int[], $3::int[]) AS o(product_id, quantity)
       WHERE c.user_id = $1 AND c.product_id = o.product_id`,
      [userId, productIds, quantities],
    );
    return true;
  },

  async clearAll(db: Queryable): Promise<void> {
    await db.query('TRUNCATE cart_items, cleared_orders');
  },
};
