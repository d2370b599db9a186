import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEV_INTERNAL_SECRET, freePort } from '@checkout-lab/kit';
import {
  createTestDatabase,
  type TestDatabase,
  testAmqpUrl,
  testServerUrl,
  uniqueName,
} from '@checkout-lab/kit/testing';
import {
  DEFAULT_RETRY_DELAYS_MS,
  connectDatabase,
  internalAuth,
  makeEvent,
  names,
  outbox,
  withTransaction,
} from '@checkout-lab/shared';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startProductService } from '@checkout-lab/product-service';
import { loadConfig as productConfig } from '@checkout-lab/product-service/config';
import { deleteBrokerObjects } from '@checkout-lab/stacks';
import { internalHeaders } from '@checkout-lab/stacks/testing';
import { loadConfig } from '../src/config';
import { OrderClient } from '../src/data-access/order.client';
import { ProductClient } from '../src/data-access/product.client';
import { cartUseCases } from '../src/domain/cart.use-case';
import { type RunningService, startCartService } from '../src/server';

// biome-ignore lint/suspicious/noExplicitAny: the tests read arbitrary JSON answers
const jsonOf = (response: Response): Promise<any> => response.json();

/** A call for buyer id, as order-service or the gateway makes it: an internal token naming the buyer. */
const buyer = (id: number) => internalHeaders({ userId: id, email: `b${id}@test.lab` });

let amqpUrl: string;
let prefix: string;
let productDb: TestDatabase;
let cartDb: TestDatabase;
let products: RunningService;
let carts: RunningService;
let cartPool: pg.Pool;

beforeAll(async () => {
  amqpUrl = await testAmqpUrl();
  prefix = uniqueName('carts_api');
  productDb = await createTestDatabase('carts_api_products');
  cartDb = await createTestDatabase('carts_api_carts');
  products = await startProductService(
    productConfig({
      DATABASE_URL: testServerUrl(),
      DB_NAME: productDb.name,
      PRODUCT_PORT: '0',
      AMQP_URL: amqpUrl,
      RABBIT_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    }),
  );
  carts = await startCartService(
    loadConfig({
      DATABASE_URL: testServerUrl(),
      DB_NAME: cartDb.name,
      CART_PORT: '0',
      AMQP_URL: amqpUrl,
      RABBIT_PREFIX: prefix,
      PRODUCT_SERVICE_URL: products.url,
      LOG_LEVEL: 'silent',
    }),
  );
  cartPool = (await connectDatabase({ serverUrl: testServerUrl(), dbName: cartDb.name, poolSize: 2 })).pool;
});

afterAll(async () => {
  await cartPool?.end();
  await carts?.stop();
  await products?.stop();
  await cartDb?.drop();
  await productDb?.drop();
  const n = names(prefix);
  const queues = [
    'cart-service.order.order.created',
    'product-service.order.order.created',
    'product-service.order.order.cancelled',
  ]
    .map((q) => `${prefix}.${q}`)
    .flatMap((q) => [q, ...DEFAULT_RETRY_DELAYS_MS.map((_d, i) => n.retryQueue(q, i + 1))]);
  await deleteBrokerObjects(amqpUrl, prefix, [...queues, n.dlq('cart-service'), n.dlq('product-service')]);
});

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${carts.url}${path}`, {
    method,
    // A peer's call by default (its internal token names no buyer); buyer(id) names one.
    headers: { 'content-type': 'application/json', ...internalHeaders(), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('the cart', () => {
  test('when a buyer adds the same product twice, then the quantities add up and the totals are exact', async () => {
    const first = await call('POST', '/api/cart/items', { product_id: 2, quantity: 1 }, buyer(1));
    expect(first.status).toBe(201);
    const cart = await jsonOf(await call('POST', '/api/cart/items', { product_id: 2, quantity: 2 }, buyer(1)));
    const product = await jsonOf(await fetch(`${products.url}/api/products/2`));
    expect(cart.items).toEqual([
      {
        product_id: 2,
        name: product.name,
        price: product.price,
        quantity: 3,
        line_total: (Number(product.price) * 3).toFixed(2),
      },
    ]);
    expect(cart.total).toBe((Number(product.price) * 3).toFixed(2));
    // Another buyer's cart is their own.
    expect(await jsonOf(await call('GET', '/api/cart', undefined, buyer(2)))).toEqual({ items: [], total: '0.00' });
  });

  test('when a line is changed and removed, then 200 with the new cart; an absent line is 404', async () => {
    await call('POST', '/api/cart/items', { product_id: 3, quantity: 1 }, buyer(3));
    const changed = await jsonOf(await call('PATCH', '/api/cart/items/3', { quantity: 4 }, buyer(3)));
    expect(changed.items[0].quantity).toBe(4);
    const removed = await call('DELETE', '/api/cart/items/3', undefined, buyer(3));
    expect(removed.status).toBe(200);
    expect((await jsonOf(removed)).items).toEqual([]);
    expect((await call('DELETE', '/api/cart/items/3', undefined, buyer(3))).status).toBe(404);
    expect((await call('PATCH', '/api/cart/items/3', { quantity: 1 }, buyer(3))).status).toBe(404);
  });

  test.each([
    ['a zero quantity', { product_id: 2, quantity: 0 }],
    ['a negative quantity', { product_id: 2, quantity: -3 }],
    ['a huge quantity', { product_id: 2, quantity: 1e12 }],
    ['a fractional quantity', { product_id: 2, quantity: 1.5 }],
    ['a string quantity', { product_id: 2, quantity: '2' }],
    ['a string product id', { product_id: 'two', quantity: 1 }],
  ])('when the body has %s, then 422 and the cart is unchanged', async (_what, body) => {
    const response = await call('POST', '/api/cart/items', body, buyer(4));
    expect(response.status).toBe(422);
    expect((await jsonOf(response)).error.code).toBe('VALIDATION_ERROR');
    expect((await jsonOf(await call('GET', '/api/cart', undefined, buyer(4)))).items).toEqual([]);
  });

  test('when the product is unknown, then 404 and nothing is written', async () => {
    const response = await call('POST', '/api/cart/items', { product_id: 999999, quantity: 1 }, buyer(5));
    expect(response.status).toBe(404);
    expect((await jsonOf(await call('GET', '/api/cart', undefined, buyer(5)))).items).toEqual([]);
  });

  test('when more than the stock is asked for, then 409 OUT_OF_STOCK and the line keeps its quantity', async () => {
    const stock = (await jsonOf(await fetch(`${products.url}/api/products/1`))).stock as number;
    await call('POST', '/api/cart/items', { product_id: 1, quantity: 1 }, buyer(6));
    const response = await call('POST', '/api/cart/items', { product_id: 1, quantity: stock }, buyer(6));
    expect(response.status).toBe(409);
    expect((await jsonOf(response)).error.code).toBe('OUT_OF_STOCK');
    expect((await jsonOf(await call('GET', '/api/cart', undefined, buyer(6)))).items[0].quantity).toBe(1);
  });

  test('when no user is forwarded, then 401; when the body is not JSON, then 400', async () => {
    expect((await call('GET', '/api/cart')).status).toBe(401);
    const bare = { 'x-user-id': '7', 'x-user-email': 'b7@test.lab' };
    expect((await fetch(`${carts.url}/api/cart`, { headers: bare })).status).toBe(401);
    expect((await fetch(`${carts.url}/internal/carts/7`, { headers: bare })).status).toBe(401);
    const malformed = await call('POST', '/api/cart/items', '{"product_id": 1,', buyer(7));
    expect(malformed.status).toBe(400);
    expect((await jsonOf(malformed)).error.code).toBe('MALFORMED_JSON');
  });

  test('when order-service reads a cart internally, then the same cart', async () => {
    await call('POST', '/api/cart/items', { product_id: 4, quantity: 2 }, buyer(8));
    const internal = await jsonOf(await call('GET', '/internal/carts/8'));
    expect(internal).toEqual(await jsonOf(await call('GET', '/api/cart', undefined, buyer(8))));
  });
});

const take = (userId: number, holdId: string) =>
  call('POST', `/internal/carts/${userId}/checkout`, { hold_id: holdId });
const holdsOf = async (userId: number) =>
  (await cartPool.query('SELECT id, lines FROM cart_holds WHERE user_id = $1', [userId])).rows;
const cartOf = async (userId: number) => (await jsonOf(await call('GET', '/api/cart', undefined, buyer(userId)))).items;

describe('checkout takes the cart', () => {
  test('when order-service takes a cart, then it gets the lines, the cart is empty at once, and a second take gets none', async () => {
    await call('POST', '/api/cart/items', { product_id: 2, quantity: 2 }, buyer(20));
    await call('POST', '/api/cart/items', { product_id: 5, quantity: 1 }, buyer(20));
    const before = await jsonOf(await call('GET', '/api/cart', undefined, buyer(20)));
    const holdId = crypto.randomUUID();
    const taken = await take(20, holdId);
    expect(taken.status).toBe(200);
    expect(await jsonOf(taken)).toEqual({ ...before, hold_id: holdId });
    expect(await cartOf(20)).toEqual([]);
    expect(await holdsOf(20)).toEqual([{ id: holdId, lines: expect.any(Array) }]);
    // A second checkout racing the first: nothing left to order, and no empty hold is kept.
    expect((await jsonOf(await take(20, crypto.randomUUID()))).items).toEqual([]);
    expect(await holdsOf(20)).toHaveLength(1);
  });

  test('when a checkout is retried with its Idempotency-Key, then it gets the hold its first attempt took', async () => {
    await call('POST', '/api/cart/items', { product_id: 2, quantity: 1 }, buyer(23));
    const first = await jsonOf(
      await call('POST', '/internal/carts/23/checkout', { hold_id: crypto.randomUUID(), idempotency_key: 'k-23' }),
    );
    // Meanwhile the buyer starts a new cart; the retry (say, after order-service crashed) must not take that one.
    await call('POST', '/api/cart/items', { product_id: 5, quantity: 1 }, buyer(23));
    const retry = await jsonOf(
      await call('POST', '/internal/carts/23/checkout', { hold_id: crypto.randomUUID(), idempotency_key: 'k-23' }),
    );
    expect(retry).toEqual(first);
    expect(retry.items).toEqual([expect.objectContaining({ product_id: 2, quantity: 1, price: first.items[0].price })]);
    expect(await cartOf(23)).toEqual([expect.objectContaining({ product_id: 5 })]);
  });

  test('when order.order.created names the hold (twice), then the hold is settled and what was added since stays', async () => {
    await call('POST', '/api/cart/items', { product_id: 3, quantity: 2 }, buyer(21));
    const holdId = crypto.randomUUID();
    await take(21, holdId);
    await call('POST', '/api/cart/items', { product_id: 3, quantity: 1 }, buyer(21));
    const event = makeEvent(
      'order.order.created',
      {
        order_id: 1,
        user_id: 21,
        user_email: 'b21@test.lab',
        items: [{ product_id: 3, quantity: 2, unit_price: '1.00' }],
        total: '2.00',
        cart_hold_id: holdId,
      },
      { correlationId: 'cart-test' },
    );
    // Through the real broker: the row goes into cart-service's own outbox, its relay publishes, its consumer eats.
    // A second event for the same order (a replay under a new id) changes nothing more.
    await withTransaction(cartPool, (client) => outbox.add(client, event));
    await withTransaction(cartPool, (client) => outbox.add(client, { ...event, id: crypto.randomUUID() }));
    await expect.poll(() => holdsOf(21), { timeout: 15000 }).toEqual([]);
    await expect
      .poll(
        async () =>
          (
            await cartPool.query('SELECT count(*)::int AS n FROM processed_events WHERE event_id = ANY($1)', [
              [event.id],
            ])
          ).rows[0].n,
        { timeout: 15000 },
      )
      .toBe(1);
    expect(await cartOf(21)).toEqual([expect.objectContaining({ product_id: 3, quantity: 1 })]);
  });

  test('when a hold is released, then its lines go back, adding to what was added since; a second release adds nothing', async () => {
    await call('POST', '/api/cart/items', { product_id: 4, quantity: 2 }, buyer(22));
    const holdId = crypto.randomUUID();
    await take(22, holdId);
    await call('POST', '/api/cart/items', { product_id: 4, quantity: 1 }, buyer(22));
    const released = await call('POST', `/internal/cart-holds/${holdId}/release`);
    expect(await jsonOf(released)).toEqual({ hold_id: holdId, released_lines: 1 });
    expect(await cartOf(22)).toEqual([expect.objectContaining({ product_id: 4, quantity: 3 })]);
    expect(await jsonOf(await call('POST', `/internal/cart-holds/${holdId}/release`))).toEqual({
      hold_id: holdId,
      released_lines: 0,
    });
    expect(await cartOf(22)).toEqual([expect.objectContaining({ product_id: 4, quantity: 3 })]);
    expect((await call('POST', '/internal/cart-holds/not-a-uuid/release')).status).toBe(422);
    expect((await call('POST', '/internal/carts/22/checkout', { hold_id: 'x' })).status).toBe(422);
  });

  test('when holds go stale, then the sweep asks order-service: an order settles one, no order puts one back, no answer leaves one', async () => {
    const holds = { ordered: crypto.randomUUID(), notOrdered: crypto.randomUUID(), silent: crypto.randomUUID() };
    for (const [i, holdId] of Object.values(holds).entries()) {
      await call('POST', '/api/cart/items', { product_id: 2, quantity: 1 }, buyer(30 + i));
      await take(30 + i, holdId);
    }
    // order-service's internal answer as it gives it (orders.api.test checks the real one): 200, 404, or a failure.
    const orderService = http.createServer((req, res) => {
      const id = req.url?.split('/').pop();
      res.statusCode = id === holds.ordered ? 200 : id === holds.notOrdered ? 404 : 503;
      res.end(JSON.stringify(id === holds.ordered ? { order_id: 1 } : { error: { code: 'X', message: 'x' } }));
    });
    await new Promise<void>((resolve) => orderService.listen(0, '127.0.0.1', resolve));
    try {
      const port = (orderService.address() as AddressInfo).port;
      const cart = cartUseCases(
        cartPool,
        new ProductClient(products.url, 1000, internalAuth('cart-service', DEV_INTERNAL_SECRET)),
        new OrderClient(`http://127.0.0.1:${port}`, 1000, internalAuth('cart-service', DEV_INTERNAL_SECRET)),
      );
      expect(await cart.sweepHolds(60_000)).toEqual({ settled: 0, released: 0, unknown: 0 });
      await cartPool.query(`UPDATE cart_holds SET created_at = now() - interval '2 minutes' WHERE id = ANY($1)`, [
        Object.values(holds),
      ]);
      expect(await cart.sweepHolds(60_000)).toEqual({ settled: 1, released: 1, unknown: 1 });
      expect(await holdsOf(30)).toEqual([]);
      expect(await cartOf(30)).toEqual([]);
      expect(await holdsOf(31)).toEqual([]);
      expect(await cartOf(31)).toEqual([expect.objectContaining({ product_id: 2, quantity: 1 })]);
      expect(await holdsOf(32)).toHaveLength(1);
      expect(await cartOf(32)).toEqual([]);
    } finally {
      await new Promise((resolve) => orderService.close(resolve));
    }
  });
});

describe('events and the lab', () => {
  test('when product-service does not answer, then 503 in the contract shape, not a hang', async () => {
    const orphan = await startCartService(
      loadConfig({
        DATABASE_URL: testServerUrl(),
        DB_NAME: cartDb.name,
        CART_PORT: '0',
        AMQP_URL: amqpUrl,
        RABBIT_PREFIX: prefix,
        PRODUCT_SERVICE_URL: `http://127.0.0.1:${await freePort()}`,
        PRODUCT_TIMEOUT_MS: '500',
        LOG_LEVEL: 'silent',
      }),
    );
    try {
      const response = await fetch(`${orphan.url}/api/cart/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...buyer(12) },
        body: JSON.stringify({ product_id: 2, quantity: 1 }),
      });
      expect(response.status).toBe(503);
      expect((await jsonOf(response)).error.code).toBe('PRODUCT_SERVICE_UNAVAILABLE');
    } finally {
      await orphan.stop();
    }
  });

  test('when the lab resets, then every cart is empty', async () => {
    await call('POST', '/api/cart/items', { product_id: 2, quantity: 1 }, buyer(13));
    expect((await call('POST', '/internal/lab/reset')).status).toBe(200);
    expect((await jsonOf(await call('GET', '/api/cart', undefined, buyer(13)))).items).toEqual([]);
  });
});
