import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestShop, startTestShop } from '@checkout-lab/stacks/testing';

// LESSON: Black Friday (LESSONS.md#black-friday). Many buyers, one product, little stock: nobody oversells.
describe('Black Friday on the monolith', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startTestShop({ knobs: { payment_delay_ms: 30, email_delay_ms: 30 } });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('when 12 buyers check out the last 5 units at once, then exactly 5 are confirmed, 7 get OUT_OF_STOCK and stock is 0', async () => {
    const buyers = 12;
    const stock = 5;
    await shop.api('PATCH', '/api/products/1', { token: shop.adminToken, body: { stock } });
    const tokens: string[] = [];
    for (let i = 0; i < buyers; i += 1) {
      const buyer = await shop.buyer('bf');
      const added = await shop.api('POST', '/api/cart/items', {
        token: buyer.token,
        body: { product_id: 1, quantity: 1 },
      });
      expect(added.status).toBe(201);
      tokens.push(buyer.token);
    }

    const results = await Promise.all(tokens.map((token) => shop.api('POST', '/api/orders/checkout', { token })));
    const confirmed = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    expect(confirmed).toHaveLength(stock);
    expect(refused).toHaveLength(buyers - stock);
    for (const r of confirmed) expect(r.body.status).toBe('confirmed');
    for (const r of refused) expect(r.body.error.code).toBe('OUT_OF_STOCK');

    expect(await shop.stock(1)).toBe(0);
    const { rows } = await shop.sql.query(
      `SELECT COUNT(*)::int AS orders, COALESCE(SUM(oi.quantity), 0)::int AS units
       FROM orders o JOIN order_items oi ON oi.order_id = o.id WHERE oi.product_id = 1`,
    );
    expect(rows[0]).toEqual({ orders: stock, units: stock });
    expect(await shop.count('payments')).toBe(stock);
    const mails = await shop.mail.mailbox.list();
    expect(mails.filter((mail) => mail.subject.startsWith('[monolith]'))).toHaveLength(stock);
    // The refused buyers keep their carts: nothing of theirs was touched.
    expect(await shop.count('cart_items')).toBe(buyers - stock);
  });
});
