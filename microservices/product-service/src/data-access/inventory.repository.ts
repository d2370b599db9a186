import type { Queryable } from './catalog.repository';

export interface Line {
  product_id: number;
  quantity: number;
}

export const inventoryRepository = {
  // LESSON: Atomic stock reservation (LESSONS.md#atomic-stock-reservation)
  // LESSON: Watch the lock (LESSONS.md#watch-the-lock)
  /**
   * One short statement per line: the row is
   * locked only for the instant of the UPDATE, and "stock >= $2" is checked by PostgreSQL under that lock, so two
   * buyers can never both take the last unit. Compare the monolith, which takes SELECT ... FOR UPDATE and keeps the
   * lock through a 1 s payment call and a 2 s email.
   * Returns false when the product is unknown or has fewer than quantity left (nothing changed for this line).
   */
  async take(db: Queryable, line: Line): Promise<boolean> {
    const { rowCount } = await db.query(
      'UPDATE inventory SET stock = stock - $2, updated_at = now() WHERE product_id = $1 AND stock >= $2',
      [line.product_id, line.quantity],
    );
    return rowCount === 1;
  },

  /**
   * The stock_db_delay_ms fault: the transaction waits delayMs inside PostgreSQL (pg_sleep, visible in
   * pg_stat_activity), as behind a slow or overloaded database. Nothing when delayMs is 0.
   */
  async delayInDatabase(db: Queryable, delayMs: number): Promise<void> {
    if (delayMs > 0) await db.query('SELECT pg_sleep($1)', [delayMs / 1000]);
  },

  async giveBack(db: Queryable, line: Line): Promise<void> {
    await db.query('UPDATE inventory SET stock = stock + $2, updated_at = now() WHERE product_id = $1', [
      line.product_id,
      line.quantity,
    ]);
  },

  async productExists(db: Queryable, productId: number): Promise<boolean> {
    const { rowCount } = await db.query('SELECT 1 FROM inventory WHERE product_id = $1', [productId]);
    return rowCount === 1;
  },

  /** The lines already reserved for an order, or null when it has no reservation. */
  async findReservation(db: Queryable, orderId: number): Promise<Line[] | null> {
    const found = await db.query('SELECT 1 FROM reservations WHERE order_id = $1', [orderId]);
    if (found.rowCount !== 1) return null;
    const { rows } = await db.query<Line>(
      'SELECT product_id, quantity FROM reservation_lines WHERE order_id = $1 ORDER BY product_id',
      [orderId],
    );
    return rows;
  },

  /** Records what was taken for the order; false when a reservation for it already exists. */
  async recordReservation(db: Queryable, orderId: number, lines: Line[]): Promise<boolean> {
    const { rowCount } = await db.query(
      `INSERT INTO reservations (order_id, status) VALUES ($1, 'reserved') ON CONFLICT (order_id) DO NOTHING`,
      [orderId],
    );
    if (rowCount !== 1) return false;
    for (const line of lines) {
      await db.query('INSERT INTO reservation_lines (order_id, product_id, quantity) VALUES ($1, $2, $3)', [
        orderId,
        line.product_id,
        line.quantity,
      ]);
    }
    return true;
  },

  /**
   * Marks the order's reservation released and returns its lines; an empty list when there is none or it was
   * released already, which makes the compensation idempotent on its own, even beyond the adapter's event dedupe.
   */
  async markReleased(db: Queryable, orderId: number): Promise<Line[]> {
    const { rowCount } = await db.query(
      `UPDATE reservations SET status = 'released', released_at = now() WHERE order_id = $1 AND status = 'reserved'`,
      [orderId],
    );
    if (rowCount !== 1) return [];
    const { rows } = await db.query<Line>(
      'SELECT product_id, quantity FROM reservation_lines WHERE order_id = $1 ORDER BY product_id',
      [orderId],
    );
    return rows;
  },
};
