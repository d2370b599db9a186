import { freePort } from '@checkout-lab/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestShop, shopCounts, startTestShop } from '@checkout-lab/stacks/testing';

// LESSON: What happens when email fails (LESSONS.md#what-happens-when-email-fails). One transaction: nothing is kept.
describe('a failing checkout keeps nothing', () => {
  describe('when SMTP is down', () => {
    let shop: TestShop;
    beforeAll(async () => {
      // Nothing listens on this port: the SMTP connection is refused at step 9.
      shop = await startTestShop({ smtpPort: await freePort() });
    });
    afterAll(async () => {
      await shop?.stop();
    });

    it('then the buyer gets 503 EMAIL_FAILED, no order, payment or notification exists, stock is unchanged and the cart is kept', async () => {
      const buyer = await shop.buyer();
      await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 2, quantity: 2 } });
      const before = await shopCounts(shop);
      const cartBefore = (await shop.api('GET', '/api/cart', { token: buyer.token })).body;

      const response = await shop.api('POST', '/api/orders/checkout', { token: buyer.token });
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('EMAIL_FAILED');
      expect(JSON.stringify(response.body)).not.toMatch(/ECONNREFUSED|at .*\.ts/);

      expect(await shopCounts(shop)).toEqual(before);
      expect(before.orders).toBe(0);
      expect((await shop.api('GET', '/api/cart', { token: buyer.token })).body).toEqual(cartBefore);
      expect((await shop.api('GET', '/api/orders', { token: buyer.token })).body).toEqual([]);
      // The order id the rollback threw away never shows up anywhere, including the mail catcher.
      expect(await shop.mail.mailbox.list()).toEqual([]);
    });
  });

  describe('when the payment is declined', () => {
    let shop: TestShop;
    beforeAll(async () => {
      shop = await startTestShop();
    });
    afterAll(async () => {
      await shop?.stop();
    });

    it('then the buyer gets 402 PAYMENT_DECLINED and nothing is kept; at rate 0 again the same cart checks out', async () => {
      const buyer = await shop.buyer();
      await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 3, quantity: 1 } });
      await shop.setKnobs({ payment_failure_rate: 1 });
      const before = await shopCounts(shop);

      const response = await shop.api('POST', '/api/orders/checkout', { token: buyer.token });
      expect(response.status).toBe(402);
      expect(response.body.error.code).toBe('PAYMENT_DECLINED');
      expect(await shopCounts(shop)).toEqual(before);
      expect(await shop.mail.mailbox.list()).toEqual([]);

      await shop.setKnobs({ payment_failure_rate: 0 });
      const retry = await shop.api('POST', '/api/orders/checkout', { token: buyer.token });
      expect(retry.status).toBe(201);
      expect(await shop.count('orders')).toBe(1);
    });

    it('when the cart is empty, then 400 CART_EMPTY and no order', async () => {
      const buyer = await shop.buyer();
      const before = await shopCounts(shop);
      const response = await shop.api('POST', '/api/orders/checkout', { token: buyer.token });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('CART_EMPTY');
      expect(await shopCounts(shop)).toEqual(before);
    });

    it('when the stock dropped below the cart, then 409 OUT_OF_STOCK, no order, and the cart is kept', async () => {
      const buyer = await shop.buyer();
      await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 8, quantity: 3 } });
      await shop.api('PATCH', '/api/products/8', { token: shop.adminToken, body: { stock: 2 } });
      const before = await shopCounts(shop);
      const response = await shop.api('POST', '/api/orders/checkout', { token: buyer.token });
      expect(response.status).toBe(409);
      expect(response.body.error).toMatchObject({
        code: 'OUT_OF_STOCK',
        details: { product_id: 8, requested: 3, available: 2 },
      });
      expect(await shopCounts(shop)).toEqual(before);
    });
  });
});
