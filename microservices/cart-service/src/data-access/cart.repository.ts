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

  /**
   * Adds quantity to the line (or creates it) unless the line would pass `limit`, and reads the cart, in one
   * statement. `added` is false when the limit refused it; `lines` is then the cart unchanged.
   */
  async addWithin(
    db: Queryable,
    userId: number,
    product: ProductSnapshot,
    quantity: number,
    limit: number,
  ): Promise<{ added: boolean; lines: CartLine[] }> {
    const { rows } = await db.query<CartLine & { added: boolean }>({
      name: 'cart-add',
      text: `WITH up AS (
         INSERT INTO cart_items (user_id, product_id, name, unit_price, quantity)
         SELECT $1::integer, $2::integer, $3::text, $4::numeric, $5::integer WHERE $5::integer <= $6::integer
         ON CONFLICT (user_id, product_id) DO UPDATE
           SET quantity = cart_items.quantity + EXCLUDED.quantity, name = EXCLUDED.name,
               unit_price = EXCLUDED.unit_price, updated_at = now()
           WHERE cart_items.quantity + EXCLUDED.quantity <= $6::integer
         RETURNING product_id, name, unit_price, quantity)
       SELECT product_id, name, unit_price AS price, quantity, true AS added FROM up
       UNION ALL
       SELECT product_id, name, unit_price AS price, quantity, false AS added FROM cart_items
       WHERE user_id = $1 AND (product_id <> $2 OR NOT EXISTS (SELECT 1 FROM up))
       ORDER BY product_id`,
      values: [userId, product.id, product.name, product.price, quantity, limit],
    });
    return {
      added: rows.some((row) => row.added),
      lines: rows.map(({ added: _added, ...line }) => line),
    };
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
   * Checkout takes the whole cart in one statement: its lines leave cart_items and are kept as a hold under the id
   * order-service will write on the order. The cart is empty the moment checkout has read it, so the buyer's next
   * add starts a new cart, and a second checkout racing this one finds nothing to order. Returns the lines taken.
   */
  async take(db: Queryable, userId: number, holdId: string, idempotencyKey: string | null): Promise<CartLine[]> {
    const { rows } = await db.query<CartLine>({
      // Named: parsed and planned once per connection, not at every checkout.
      name: 'take-cart',
      text: `WITH taken AS (
         DELETE FROM cart_items WHERE user_id = $1 RETURNING product_id, name, unit_price, quantity),
       hold AS (
         INSERT INTO cart_holds (id, user_id, idempotency_key, lines)
         SELECT $2, $1, $3, jsonb_agg(to_jsonb(taken)) FROM taken HAVING count(*) > 0)
       SELECT product_id, name, unit_price AS price, quantity FROM taken ORDER BY product_id`,
      values: [userId, holdId, idempotencyKey],
    });
    return rows;
  },

  /** The hold an earlier checkout with this Idempotency-Key took, if it is still held. */
  async heldFor(
    db: Queryable,
    userId: number,
    idempotencyKey: string,
  ): Promise<{ id: string; lines: CartLine[] } | null> {
    const { rows } = await db.query<{ id: string; lines: CartLine[] }>(
      `SELECT id, (SELECT coalesce(jsonb_agg(jsonb_build_object('product_id', l.product_id, 'name', l.name,
                     'price', l.unit_price, 'quantity', l.quantity) ORDER BY l.product_id), '[]')
                   FROM jsonb_to_recordset(lines) AS l(product_id integer, name text, unit_price text, quantity integer))
                  AS lines
       FROM cart_holds WHERE user_id = $1 AND idempotency_key = $2`,
      [userId, idempotencyKey],
    );
    return rows[0] ?? null;
  },

  /** The order was written: its hold is done with. False when it was settled or released already. */
  async settleHold(db: Queryable, holdId: string): Promise<boolean> {
    const { rowCount } = await db.query('DELETE FROM cart_holds WHERE id = $1', [holdId]);
    return rowCount === 1;
  },

  /**
   * No order was written: the held lines go back into the cart (adding to what the buyer put there since).
   * Returns the number of lines put back; 0 when the hold was settled or released already.
   */
  async releaseHold(db: Queryable, holdId: string): Promise<number> {
    const { rowCount } = await db.query(
      `WITH hold AS (DELETE FROM cart_holds WHERE id = $1 RETURNING user_id, lines)
       INSERT INTO cart_items (user_id, product_id, name, unit_price, quantity)
       SELECT hold.user_id, line.product_id, line.name, line.unit_price, line.quantity
       FROM hold, jsonb_to_recordset(hold.lines)
         AS line(product_id integer, name text, unit_price numeric, quantity integer)
       ON CONFLICT (user_id, product_id) DO UPDATE
         SET quantity = cart_items.quantity + EXCLUDED.quantity, updated_at = now()`,
      [holdId],
    );
    return rowCount ?? 0;
  },

  /** Holds older than the age given: checkouts whose order-service never said how they ended. */
  async staleHolds(db: Queryable, olderThanMs: number, limit = 100): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM cart_holds WHERE created_at < now() - make_interval(secs => $1 / 1000.0)
       ORDER BY created_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map((row) => row.id);
  },

  async clearAll(db: Queryable): Promise<void> {
    await db.query('TRUNCATE cart_items, cart_holds');
  },
};
