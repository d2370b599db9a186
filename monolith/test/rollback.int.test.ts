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
      // LESSON: A charge outlives a rollback (LESSONS.md#a-charge-outlives-a-rollback). The card provider, outside
      // the shop's database, still holds the charge of step 6: the audit lists it as an orphan.
      const audit = (await shop.api('GET', '/api/lab/audit', { token: shop.adminToken })).body;
      expect(audit.orders).toEqual([]);
      expect(audit.orphan_charges).toEqual([
        { provider_charge_id: expect.stringMatching(/^ch_/), order_ref: expect.any(String), amount: cartBefore.total },
      ]);
    });
  });

  describe('when the card provider does not answer in time', () => {
    let shop: TestShop;
    beforeAll(async () => {
      // The provider takes 1.5 s; the shop waits 300 ms for it.
      shop = await startTestShop({ knobs: { payment_delay_ms: 1500 }, paymentProvider: { timeoutMs: 300 } });
    });
    afterAll(async () => {
      await shop?.stop();
    });

    it('then the buyer gets 504 PAYMENT_TIMEOUT and nothing is kept, and the provider goes on to take the money', async () => {
      const buyer = await shop.buyer();
      await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 3, quantity: 1 } });
      const before = await shopCounts(shop);
      const response = await shop.api('POST', '/api/orders/checkout', { token: buyer.token });
      expect(response.status).toBe(504);
      expect(response.body.error.code).toBe('PAYMENT_TIMEOUT');
      expect(await shopCounts(shop)).toEqual(before);
      // The provider decides after its 1.5 s, with nobody listening any more: an orphan charge.
      let orphans: unknown[] = [];
      for (let tries = 0; tries < 50 && orphans.length === 0; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        orphans = (await shop.api('GET', '/api/lab/audit', { token: shop.adminToken })).body.orphan_charges;
      }
      expect(orphans).toHaveLength(1);
    });

    it('when the fault payment_hang is on, then the provider takes the money and never answers: 504, nothing kept, one orphan charge', async () => {
      await shop.setKnobs({ payment_delay_ms: 0 });
      const faults = await shop.api('PUT', '/api/lab/faults', { token: shop.adminToken, body: { payment_hang: true } });
      expect(faults.body.faults.payment_hang).toBe(true);
      try {
        const buyer = await shop.buyer();
        await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 4, quantity: 1 } });
        const before = await shopCounts(shop);
        const orphansBefore = (await shop.api('GET', '/api/lab/audit', { token: shop.adminToken })).body.orphan_charges;
        const response = await shop.api('POST', '/api/orders/checkout', { token: buyer.token });
        expect(response.status).toBe(504);
        expect(response.body.error.code).toBe('PAYMENT_TIMEOUT');
        expect(await shopCounts(shop)).toEqual(before);
        const audit = (await shop.api('GET', '/api/lab/audit', { token: shop.adminToken })).body;
        // Taken before the answer was held: the orphan is there as soon as the shop gave up.
        expect(audit.orphan_charges).toHaveLength(orphansBefore.length + 1);
      } finally {
        await shop.api('POST', '/api/lab/faults/reset', { token: shop.adminToken });
      }
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
