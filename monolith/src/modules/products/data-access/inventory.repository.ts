import type { SelectQueryBuilder } from 'typeorm';
import { type Db, managerOf } from '../../../shared/db';
import { InventoryEntity, type InventoryRow } from './catalog.entity';

/** The stock rows checkout reads (step 2), locks (step 3) and reduces (step 8). */
export function inventoryRepository(db: Db) {
  const inventory = managerOf(db).getRepository(InventoryEntity);
  return {
    /**
     * The stock rows of these products, in product id order. With lock 'pessimistic_write' TypeORM appends FOR UPDATE:
     * SELECT "inventory"."product_id" AS "inventory_product_id", "inventory"."quantity" AS "inventory_quantity"
     * FROM "inventory" "inventory" WHERE "inventory"."product_id" IN ($1, $2) ORDER BY "inventory_product_id" ASC
     * FOR UPDATE
     */
    stockQuery(productIds: number[], lock?: 'pessimistic_write'): SelectQueryBuilder<InventoryRow> {
      const query = inventory
        .createQueryBuilder('inventory')
        .select(['inventory.product_id', 'inventory.quantity'])
        .where('inventory.product_id IN (:...productIds)', { productIds })
        .orderBy('inventory.product_id', 'ASC');
      return lock ? query.setLock(lock) : query;
    },
    /**
     * The stock_db_delay_ms fault: the transaction waits delayMs inside PostgreSQL (pg_sleep, visible in
     * pg_stat_activity), as behind a slow or overloaded database. Nothing when delayMs is 0.
     */
    async delayInDatabase(delayMs: number): Promise<void> {
      if (delayMs > 0) await managerOf(db).query('SELECT pg_sleep($1)', [delayMs / 1000]);
    },
    // LESSON: Is it the architecture or the transaction? (LESSONS.md#is-it-the-architecture-or-the-transaction). The
    // fix short_lock: one statement checks and takes the stock; its row lock lasts as long as the statement when it
    // runs alone (autocommit), where FOR UPDATE held it until COMMIT.
    /**
     * Takes n units if there are n (the fix short_lock): UPDATE inventory SET quantity = quantity - n
     * WHERE product_id = p AND quantity >= n. True when it took them; false, and nothing changed, when there were fewer.
     */
    async take(productId: number, quantity: number): Promise<boolean> {
      const result = await inventory
        .createQueryBuilder()
        .update()
        .set({ quantity: () => 'quantity - :quantity' })
        .where('product_id = :productId AND quantity >= :quantity', { productId, quantity })
        .execute();
      return result.affected === 1;
    },
    /** Gives units back (a compensation: a checkout that took them and then failed). */
    async giveBack(productId: number, quantity: number): Promise<void> {
      await inventory.increment({ product_id: productId }, 'quantity', quantity);
    },
    /** Takes the quantity off in the database (quantity = quantity - n), not from a value read earlier. */
    async reduce(productId: number, quantity: number): Promise<void> {
      await inventory.decrement({ product_id: productId }, 'quantity', quantity);
    },
  };
}

/** Product id to units in stock, from stockQuery's rows. */
export async function readStock(query: SelectQueryBuilder<InventoryRow>): Promise<Map<number, number>> {
  const rows = await query.getMany();
  return new Map(rows.map((row) => [row.product_id, row.quantity]));
}
