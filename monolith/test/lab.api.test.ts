import nodemailer from 'nodemailer';
import { SEED_PRODUCTS, confirmationSubject } from '@checkout-lab/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestShop, startTestShop } from '@checkout-lab/stacks/testing';

describe('the lab endpoints of the monolith', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startTestShop();
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('when GET /health, then ok with the database answering', async () => {
    const response = await shop.api('GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok', service: 'monolith' });
  });

  it('when GET /openapi.json and /docs, then every contract path is documented', async () => {
    const doc = (await shop.api('GET', '/openapi.json')).body;
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/auth/register',
      '/api/auth/login',
      '/api/auth/me',
      '/api/categories',
      '/api/products',
      '/api/products/{id}',
      '/api/products/{id}/reviews',
      '/api/cart',
      '/api/cart/items',
      '/api/cart/items/{product_id}',
      '/api/orders/checkout',
      '/api/orders',
      '/api/orders/{id}',
      '/api/notifications',
      '/api/lab/config',
      '/api/lab/reset',
      '/api/lab/orders',
      '/api/lab/audit',
      '/health',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    const docs = await fetch(`${shop.monolith.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });

  it('when the knobs change, then GET returns them and the next checkout uses them', async () => {
    const put = await shop.api('PUT', '/api/lab/config', { token: shop.adminToken, body: { email_delay_ms: 120 } });
    expect(put.body).toEqual({ payment_delay_ms: 20, email_delay_ms: 120, payment_failure_rate: 0 });
    const buyer = await shop.buyer();
    await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 9, quantity: 1 } });
    const { body: order } = await shop.api('POST', '/api/orders/checkout', { token: buyer.token });
    const email = order.steps.find((step: { name: string }) => step.name === '9_send_email');
    expect(email.duration_ms).toBeGreaterThanOrEqual(120);
    await shop.setKnobs({ email_delay_ms: 20 });
  });

  it('when reset, then orders, payments, carts, notifications, reviews and our mail are gone, the seed catalogue is back, users and other mail stay', async () => {
    const token = shop.adminToken;
    const since = new Date(Date.now() - 60_000).toISOString();
    const buyer = await shop.buyer();
    await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 1, quantity: 2 } });
    const { body: order } = await shop.api('POST', '/api/orders/checkout', { token: buyer.token });
    expect(order.status).toBe('confirmed');
    await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 2, quantity: 1 } });
    await shop.api('POST', '/api/products/2/reviews', { token: buyer.token, body: { rating: 4, comment: 'fine' } });
    await shop.api('PATCH', '/api/products/3', { token, body: { price: '1.00', stock: 1, name: 'Changed' } });
    const category = await shop.api('POST', '/api/categories', { token, body: { name: 'Toys' } });
    const added = await shop.api('POST', '/api/products', {
      token,
      body: { name: 'Kite', price: 12.5, category_id: category.body.id, stock: 3 },
    });
    expect(added.body).toMatchObject({ price: '12.50', stock: 3, description: '' });

    const lab = await shop.api('GET', `/api/lab/orders?since=${since}`, { token });
    expect(lab.body.map((o: { id: number }) => o.id)).toContain(order.id);
    expect(lab.body[0]).toHaveProperty('processing_duration_ms');
    const audit = await shop.api('GET', `/api/lab/audit?since=${since}`, { token });
    const audited = audit.body.orders.find((o: { id: number }) => o.id === order.id);
    expect(audited).toEqual({
      id: order.id,
      status: 'confirmed',
      failure_reason: null,
      payments: 1,
      emails: 1,
      provider_charges: 1,
    });
    expect(audit.body.orphan_charges).toEqual([]);
    expect(audit.body.products.find((p: { id: number }) => p.id === 1).stock).toBe(SEED_PRODUCTS[0].stock - 2);

    // Mail from the other stack shares the catcher and must survive our reset.
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: shop.mail.smtpPort, ignoreTLS: true });
    await smtp.sendMail({
      from: 'shop@checkout.lab',
      to: 'x@example.test',
      subject: confirmationSubject('microservices', 7),
      text: 'not ours',
    });
    smtp.close();
    expect((await shop.mail.mailbox.list()).map((mail) => mail.subject)).toContain(
      confirmationSubject('monolith', order.id),
    );

    const reset = await shop.api('POST', '/api/lab/reset', { token });
    expect(reset.status).toBe(200);
    expect(reset.body.emails_deleted).toBeGreaterThanOrEqual(1);
    // The provider forgets this shop's charges: its order ids start again.
    expect(reset.body.charges_deleted).toBeGreaterThanOrEqual(1);
    expect((await shop.api('GET', '/api/lab/audit', { token })).body.orphan_charges).toEqual([]);

    for (const table of ['orders', 'order_items', 'payments', 'carts', 'cart_items', 'notifications', 'reviews']) {
      expect(await shop.count(table), table).toBe(0);
    }
    const products = (await shop.api('GET', '/api/products?limit=100')).body;
    expect(products.total).toBe(SEED_PRODUCTS.length);
    expect(
      products.items.map((p: { name: string; price: string; stock: number }) => [p.name, p.price, p.stock]),
    ).toEqual(SEED_PRODUCTS.map((p) => [p.name, p.price, p.stock]));
    expect((await shop.api('GET', '/api/categories')).body).toHaveLength(5);
    expect((await shop.mail.mailbox.list()).map((mail) => mail.subject)).toEqual([
      confirmationSubject('microservices', 7),
    ]);
    // Users stay, and their tokens still work.
    expect((await shop.api('GET', '/api/auth/me', { token: buyer.token })).status).toBe(200);
    // New rows get fresh ids after the seed.
    const again = await shop.api('POST', '/api/products', {
      token,
      body: { name: 'Kite', price: '12.50', category_id: 1, stock: 3 },
    });
    expect(again.body.id).toBe(SEED_PRODUCTS.length + 1);
  });

  it('when the mail catcher is not there, then reset still resets and says the mail was not touched', async () => {
    const shopWithoutCatcher = await startTestShop({ mailUiUrl: 'http://127.0.0.1:1' });
    try {
      const reset = await shopWithoutCatcher.api('POST', '/api/lab/reset', { token: shopWithoutCatcher.adminToken });
      expect(reset.status).toBe(200);
      expect(reset.body).toEqual({ status: 'ok', emails_deleted: null, charges_deleted: 0 });
    } finally {
      await shopWithoutCatcher.stop();
    }
  });

  it('when a product that was ordered is deleted, then 409; an unordered one goes with 204', async () => {
    const token = shop.adminToken;
    const buyer = await shop.buyer();
    await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 10, quantity: 1 } });
    await shop.api('POST', '/api/orders/checkout', { token: buyer.token });
    const refused = await shop.api('DELETE', '/api/products/10', { token });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('PRODUCT_HAS_ORDERS');
    const deleted = await shop.api('DELETE', '/api/products/11', { token });
    expect(deleted.status).toBe(204);
    expect((await shop.api('GET', '/api/products/11')).status).toBe(404);
  });
});
