import crypto from 'node:crypto';
import {
  createTestDatabase,
  type TestDatabase,
  testAmqpUrl,
  testServerUrl,
  uniqueName,
} from '@checkout-lab/kit/testing';
import {
  connectDatabase,
  type EventPayloads,
  type LabEvent,
  makeEvent,
  outbox,
  withTransaction,
} from '@checkout-lab/shared';
import { deleteBrokerObjects } from '@checkout-lab/stacks';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config';
import { normaliseLines } from '../src/domain/stock.use-case';
import { type RunningService, startProductService } from '../src/server';

let db: TestDatabase;
let service: RunningService;
let pool: pg.Pool;
let amqpUrl: string;
const prefix = uniqueName('products_int');

beforeAll(async () => {
  amqpUrl = await testAmqpUrl();
  db = await createTestDatabase('products_int');
  service = await startProductService(
    loadConfig({
      DATABASE_URL: testServerUrl(),
      DB_NAME: db.name,
      PRODUCT_PORT: '0',
      AMQP_URL: amqpUrl,
      RABBIT_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    }),
  );
  pool = (await connectDatabase({ serverUrl: testServerUrl(), dbName: db.name, poolSize: 4 })).pool;
});

afterAll(async () => {
  await pool?.end();
  await service?.stop();
  await db?.drop();
  await deleteBrokerObjects(amqpUrl, prefix);
});

/**
 * Publishes through the real broker: the event goes into product-service's own outbox, its relay publishes it to the
 * exchange, and its own consumer receives it, exactly as if order-service had published it.
 */
async function publish(event: LabEvent): Promise<void> {
  await withTransaction(pool, (client) => outbox.add(client, event));
}

const orderCreated = (orderId: number, items: { product_id: number; quantity: number }[]) =>
  makeEvent(
    'order.order.created',
    {
      order_id: orderId,
      user_id: 1,
      user_email: 'buyer@test.lab',
      items: items.map((item) => ({ ...item, unit_price: '1.00' })),
      cart_hold_id: crypto.randomUUID(),
      total: '1.00',
    },
    { correlationId: crypto.randomUUID() },
  );

async function stockOf(productId: number): Promise<number> {
  const { rows } = await pool.query<{ stock: number }>('SELECT stock FROM inventory WHERE product_id = $1', [
    productId,
  ]);
  return rows[0].stock;
}

/** The outcome product-service published for an order, once its relay has sent it. */
async function outcomes(orderIds: number[]) {
  const { rows } = await pool.query<{ type: string; payload: LabEvent }>(
    `SELECT type, payload FROM outbox
     WHERE type IN ('product.stock.reserved', 'product.stock.rejected') AND sent_at IS NOT NULL
       AND (payload->'payload'->>'order_id')::int = ANY($1::int[])`,
    [orderIds],
  );
  return rows;
}

async function setStock(productId: number, stock: number): Promise<void> {
  await pool.query('UPDATE inventory SET stock = $2 WHERE product_id = $1', [productId, stock]);
}

describe('stock reservation', () => {
  test('when 30 orders race for 10 units, then exactly 10 are reserved, 20 rejected out_of_stock, stock 0', async () => {
    await setStock(2, 10);
    const orderIds = Array.from({ length: 30 }, (_v, i) => 1000 + i);
    await Promise.all(orderIds.map((id) => publish(orderCreated(id, [{ product_id: 2, quantity: 1 }]))));
    await expect.poll(async () => (await outcomes(orderIds)).length, { timeout: 30000 }).toBe(30);
    const rows = await outcomes(orderIds);
    expect(rows.filter((row) => row.type === 'product.stock.reserved')).toHaveLength(10);
    const rejected = rows.filter((row) => row.type === 'product.stock.rejected');
    expect(rejected).toHaveLength(20);
    for (const row of rejected) {
      const payload = row.payload.payload as EventPayloads['product.stock.rejected'];
      expect(payload).toMatchObject({ reason: 'out_of_stock', product_id: 2 });
      expect(payload.timing).toMatchObject({ service: 'product-service', name: '3_reserve_inventory' });
    }
    expect(await stockOf(2)).toBe(0);
  });

  test('when one line of an order cannot be served, then no line is taken (all or nothing)', async () => {
    await setStock(3, 5);
    await setStock(4, 1);
    await publish(
      orderCreated(2000, [
        { product_id: 3, quantity: 2 },
        { product_id: 4, quantity: 2 },
      ]),
    );
    await expect
      .poll(async () => (await outcomes([2000])).map((row) => row.type), { timeout: 15000 })
      .toEqual(['product.stock.rejected']);
    expect(await stockOf(3)).toBe(5);
    expect(await stockOf(4)).toBe(1);
  });

  test('when an order names an unknown product, then it is rejected as unknown_product', async () => {
    await publish(orderCreated(2001, [{ product_id: 999999, quantity: 1 }]));
    await expect.poll(async () => (await outcomes([2001])).length, { timeout: 15000 }).toBe(1);
    const [row] = await outcomes([2001]);
    expect(row.payload.payload).toMatchObject({ reason: 'unknown_product', product_id: 999999 });
  });

  test('when a cancellation with stock_reserved arrives twice, then the stock comes back exactly once', async () => {
    await setStock(5, 10);
    const created = orderCreated(3000, [{ product_id: 5, quantity: 3 }]);
    await publish(created);
    await expect.poll(async () => (await outcomes([3000])).length, { timeout: 15000 }).toBe(1);
    expect(await stockOf(5)).toBe(7);

    const cancelled = (): LabEvent =>
      makeEvent(
        'order.order.cancelled',
        {
          order_id: 3000,
          user_id: 1,
          reason: 'payment_declined',
          items: [{ product_id: 5, quantity: 3 }],
          stock_reserved: true,
        },
        { correlationId: created.correlation_id, causationId: created.id },
      );
    await publish(cancelled());
    await expect.poll(() => stockOf(5), { timeout: 15000 }).toBe(10);
    // A second cancellation under another id: the reservation is released already, nothing more comes back.
    await publish(cancelled());
    await expect
      .poll(
        async () =>
          (await pool.query("SELECT 1 FROM outbox WHERE type = 'order.order.cancelled' AND sent_at IS NULL")).rowCount,
        {
          timeout: 15000,
        },
      )
      .toBe(0);
    await expect
      .poll(async () => (await pool.query('SELECT count(*)::int AS n FROM processed_events')).rows[0].n, {
        timeout: 15000,
      })
      .toBeGreaterThanOrEqual(35);
    expect(await stockOf(5)).toBe(10);
  });
});

describe('normaliseLines', () => {
  test('when an order repeats a product, then one line with the sum, sorted by product id', () => {
    expect(
      normaliseLines([
        { product_id: 9, quantity: 1 },
        { product_id: 2, quantity: 2 },
        { product_id: 9, quantity: 3 },
      ]),
    ).toEqual([
      { product_id: 2, quantity: 2 },
      { product_id: 9, quantity: 4 },
    ]);
  });
});
