import type { EventPayloads, StepTiming } from '@checkout-lab/shared';
import type pg from 'pg';
import { inventoryRepository as inventory, type Line } from '../data-access/inventory.repository';

export type ReservationOutcome =
  | { reserved: true; items: Line[]; timing: StepTiming }
  | {
      reserved: false;
      reason: 'out_of_stock' | 'unknown_product';
      product_id: number | null;
      timing: StepTiming;
    };

/** Same product twice in one order counts once with the sum; sorted by id so that concurrent reservations always
 * touch rows in the same order and can never deadlock each other. */
export function normaliseLines(items: { product_id: number; quantity: number }[]): Line[] {
  const byProduct = new Map<number, number>();
  for (const item of items) byProduct.set(item.product_id, (byProduct.get(item.product_id) ?? 0) + item.quantity);
  return [...byProduct.entries()]
    .map(([product_id, quantity]) => ({ product_id, quantity }))
    .sort((a, b) => a.product_id - b.product_id);
}

// LESSON: Atomic stock reservation (LESSONS.md#atomic-stock-reservation)
// LESSON: Black Friday (LESSONS.md#black-friday). The same rush here: each line holds its row for one UPDATE, on
// product-service's own pool, so the losers hear at once and nobody else's request queues behind a checkout.
/**
 * Step 3_reserve_inventory, on order.order.created. Reserves every line of an order, all or nothing, inside the
 * consumer's transaction (the adapter records the event id in it and the outbox row goes in it too). A savepoint undoes the lines already taken when a later one fails,
 * while the transaction itself still commits: the event is processed once, and the rejection is published.
 *
 * No lock outlives this local transaction, and
 * nothing here waits on another service: payment happens later, in another process, with no stock row locked.
 */
export async function reserveStock(
  client: pg.PoolClient,
  order: EventPayloads['order.order.created'],
  faults: { stock_db_delay_ms: number } = { stock_db_delay_ms: 0 },
): Promise<ReservationOutcome> {
  const started = new Date();
  const startedAt = performance.now();
  const timing = (): StepTiming => ({
    service: 'product-service',
    name: '3_reserve_inventory',
    started_at: started.toISOString(),
    duration_ms: Math.round((performance.now() - startedAt) * 100) / 100,
  });

  const lines = normaliseLines(order.items);
  if (lines.length === 0) return { reserved: false, reason: 'unknown_product', product_id: null, timing: timing() };

  // The same order twice (a replay with a new event id): answer what was decided, never take the stock again.
  const existing = await inventory.findReservation(client, order.order_id);
  if (existing) return { reserved: true, items: existing, timing: timing() };

  await client.query('SAVEPOINT reserve_stock');
  for (const line of lines) {
    // The stock_db_delay_ms fault: each line's UPDATE that much slower, its row lock held through the wait.
    await inventory.delayInDatabase(client, faults.stock_db_delay_ms);
    if (await inventory.take(client, line)) continue;
    await client.query('ROLLBACK TO SAVEPOINT reserve_stock');
    const known = await inventory.productExists(client, line.product_id);
    return {
      reserved: false,
      reason: known ? 'out_of_stock' : 'unknown_product',
      product_id: line.product_id,
      timing: timing(),
    };
  }
  await client.query('RELEASE SAVEPOINT reserve_stock');
  await inventory.recordReservation(client, order.order_id, lines);
  return { reserved: true, items: lines, timing: timing() };
}

/**
 * Compensation: puts back what was reserved for a cancelled order. Driven by the reservation record, not by the
 * event's item list, and only once per order: a replayed or duplicated cancellation gives back nothing more.
 */
export async function releaseStock(client: pg.PoolClient, orderId: number): Promise<Line[]> {
  const lines = await inventory.markReleased(client, orderId);
  for (const line of lines) await inventory.giveBack(client, line);
  return lines;
}
