import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ApiResponse, startTestShop, type TestShop } from '@checkout-lab/stacks/testing';

/**
 * Checkouts that race each other on the blocking monolith. It stays blocking (buyers queue on row locks), but a queue
 * must never turn into a pool deadlock, and one cart must make one order.
 */
describe('concurrent checkouts on the monolith', () => {
  let shop: TestShop;

  beforeAll(async () => {
    shop = await startTestShop({ knobs: { payment_delay_ms: 300, email_delay_ms: 20 } });
  });

  afterAll(async () => {
    await shop?.stop();
  });

  /** A request that gives up after a long bound instead of hanging the test when the server stops answering. */
  async function bounded(call: Promise<ApiResponse>, what: string): Promise<ApiResponse> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within 30 s`)), 30_000);
    });
    try {
      return await Promise.race([call, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function productWithStock(shop: TestShop, stock: number): Promise<number> {
    const categories = await shop.api('GET', '/api/categories');
    const created = await shop.api('POST', '/api/products', {
      token: shop.adminToken,
      body: { name: `Rush item ${Date.now()}`, price: '10.00', category_id: categories.body[0].id, stock },
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  test('when more keyed checkouts than pooled connections lose a rush at once, then every loser gets 409 and the monolith keeps answering', async () => {
    // A small pool makes the failure mode easy to reach: as many failing checkouts as pooled connections.
    const rushShop = await startTestShop({ poolSize: 3, knobs: { payment_delay_ms: 300, email_delay_ms: 20 } });
    try {
      await keyedRush(rushShop);
    } finally {
      await rushShop.stop();
    }
  });

  async function keyedRush(shop: TestShop): Promise<void> {
    const productId = await productWithStock(shop, 1);
    const buyers = await Promise.all(Array.from({ length: 7 }, (_v, i) => shop.buyer(`keyed${i}`)));
    for (const buyer of buyers) {
      const added = await shop.api('POST', '/api/cart/items', {
        token: buyer.token,
        body: { product_id: productId, quantity: 1 },
      });
      expect(added.status).toBe(201);
    }

    const answers = await Promise.all(
      buyers.map((buyer, index) =>
        bounded(
          shop.api('POST', '/api/orders/checkout', {
            token: buyer.token,
            headers: { 'Idempotency-Key': `rush-${productId}-${index}` },
          }),
          `checkout of buyer ${index}`,
        ),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409]);
    for (const answer of answers.filter((a) => a.status === 409)) expect(answer.body.error.code).toBe('OUT_OF_STOCK');

    // The pool is whole again: health and a fresh checkout answer.
    const health = await bounded(shop.api('GET', '/health'), 'health after the rush');
    expect(health.status).toBe(200);
    expect(await shop.stock(productId)).toBe(0);
    const { rows } = await shop.sql.query(
      `SELECT COUNT(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND state = 'idle in transaction'`,
    );
    expect(rows[0].n).toBe(0);
  }

  test('when one buyer sends two checkouts of the same cart at once without a key, then one order is made and the other answers CART_EMPTY', async () => {
    const productId = await productWithStock(shop, 10);
    const buyer = await shop.buyer('twice');
    const added = await shop.api('POST', '/api/cart/items', {
      token: buyer.token,
      body: { product_id: productId, quantity: 2 },
    });
    expect(added.status).toBe(201);
    const ordersBefore = await shop.count('orders');
    const paymentsBefore = await shop.count('payments');

    const answers = await Promise.all(
      [0, 1].map((n) => bounded(shop.api('POST', '/api/orders/checkout', { token: buyer.token }), `checkout ${n}`)),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 400]);
    expect(answers.find((a) => a.status === 400)?.body.error.code).toBe('CART_EMPTY');
    expect(await shop.count('orders')).toBe(ordersBefore + 1);
    expect(await shop.count('payments')).toBe(paymentsBefore + 1);
    expect(await shop.stock(productId)).toBe(8);
  });

  test('when the cart is edited while its checkout holds the cart, then the edit waits and stays in the cart for the next order', async () => {
    const productId = await productWithStock(shop, 10);
    const buyer = await shop.buyer('edit');
    await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: productId, quantity: 1 } });

    const checkout = bounded(shop.api('POST', '/api/orders/checkout', { token: buyer.token }), 'checkout');
    // Give the checkout a head start so it holds the cart when the edit arrives.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const edit = bounded(
      shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: productId, quantity: 3 } }),
      'cart edit',
    );
    const [ordered, edited] = await Promise.all([checkout, edit]);
    expect(ordered.status).toBe(201);
    expect(ordered.body.items).toEqual([expect.objectContaining({ product_id: productId, quantity: 1 })]);
    expect(edited.status).toBe(201);
    const cart = await shop.api('GET', '/api/cart', { token: buyer.token });
    expect(cart.body.items).toEqual([expect.objectContaining({ product_id: productId, quantity: 3 })]);
  });
});
