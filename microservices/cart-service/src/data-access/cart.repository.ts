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

  /** Removes the lines of these products from the user's cart; returns how many went. */
  async removeProducts(db: Queryable, userId: number, productIds: number[]): Promise<number> {
    const { rowCount } = await db.query('DELETE FROM cart_items WHERE user_id = $1 AND product_id = ANY($2::int[])', [
      userId,
      productIds,
    ]);
    return rowCount ?? 0;
  },

  async clearAll(db: Queryable): Promise<void> {
    await db.query('TRUNCATE cart_items');
  },
};
