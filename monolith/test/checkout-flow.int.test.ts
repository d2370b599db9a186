import { BLACK_FRIDAY_PRODUCT_NAME, confirmationSubject } from '@checkout-lab/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestShop, startTestShop } from '@checkout-lab/stacks/testing';

describe('the monolith checkout, end to end against PostgreSQL and SMTP', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startTestShop({ knobs: { payment_delay_ms: 150, email_delay_ms: 250 } });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('when a buyer registers, browses, fills a cart and checks out, then the order is confirmed, mailed, notified, and stock goes down', async () => {
    const email = `flow.${process.pid}@example.test`;
    const registered = await shop.api('POST', '/api/auth/register', {
      body: { email, password: 'flow-password', full_name: 'Flo Buyer' },
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ email, full_name: 'Flo Buyer', is_admin: false });
    expect(registered.body).not.toHaveProperty('password_hash');

    const login = await shop.api('POST', '/api/auth/login', { body: { email, password: 'flow-password' } });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ token_type: 'bearer' });
    expect(login.body.expires_in).toBeGreaterThan(0);
    const token = login.body.access_token;

    const me = await shop.api('GET', '/api/auth/me', { token });
    expect(me.body.id).toBe(registered.body.id);

    const categories = await shop.api('GET', '/api/categories');
    expect(categories.body.map((c: { id: number }) => c.id)).toEqual([1, 2, 3, 4, 5]);
    const products = await shop.api('GET', '/api/products?category_id=2&limit=2');
    expect(products.status).toBe(200);
    expect(products.body.total).toBe(3);
    expect(products.body.items).toHaveLength(2);
    const blackFriday = await shop.api('GET', '/api/products/1');
    expect(blackFriday.body).toMatchObject({ id: 1, name: BLACK_FRIDAY_PRODUCT_NAME, price: '299.00', stock: 10 });

    expect((await shop.api('POST', '/api/cart/items', { token, body: { product_id: 2, quantity: 1 } })).status).toBe(
      201,
    );
    const cart = await shop.api('POST', '/api/cart/items', { token, body: { product_id: 2, quantity: 2 } });
    expect(cart.body).toEqual({
      items: [{ product_id: 2, name: 'Wireless Headphones', price: '149.99', quantity: 3, line_total: '449.97' }],
      total: '449.97',
    });
    await shop.api('POST', '/api/cart/items', { token, body: { product_id: 6, quantity: 1 } });
    const stockBefore = [await shop.stock(2), await shop.stock(6)];

    const checkout = await shop.api('POST', '/api/orders/checkout', { token });
    expect(checkout.status).toBe(201);
    const order = checkout.body;
    expect(order).toMatchObject({
      status: 'confirmed',
      total: '495.47',
      failure_reason: null,
      items: [
        { product_id: 2, quantity: 3, unit_price: '149.99' },
        { product_id: 6, quantity: 1, unit_price: '45.50' },
      ],
    });
    expect(order.completion_duration_ms).toBe(order.processing_duration_ms);
    expect(Date.parse(order.email_sent_at)).not.toBeNaN();
    expect(checkout.headers.get('location')).toBe(`/api/orders/${order.id}`);

    const mails = await shop.mail.mailbox.list();
    const confirmation = mails.find((mail) => mail.subject === confirmationSubject('monolith', order.id));
    expect(confirmation?.to[0].address).toBe(email);
    expect(confirmation?.from[0].address).toBe('shop@checkout.lab');

    const notifications = await shop.api('GET', '/api/notifications', { token });
    expect(notifications.body).toHaveLength(1);
    expect(notifications.body[0]).toMatchObject({ type: 'order_confirmed', read: false });

    expect((await shop.api('GET', '/api/cart', { token })).body).toEqual({ items: [], total: '0.00' });
    expect([await shop.stock(2), await shop.stock(6)]).toEqual([stockBefore[0] - 3, stockBefore[1] - 1]);

    const { rows: payments } = await shop.sql.query('SELECT amount, status FROM payments WHERE order_id = $1', [
      order.id,
    ]);
    expect(payments).toEqual([{ amount: '495.47', status: 'succeeded' }]);

    const mine = await shop.api('GET', '/api/orders', { token });
    expect(mine.body.map((o: { id: number }) => o.id)).toEqual([order.id]);
    expect((await shop.api('GET', `/api/orders/${order.id}`, { token })).body).toEqual(order);
    const stranger = await shop.buyer('stranger');
    expect((await shop.api('GET', `/api/orders/${order.id}`, { token: stranger.token })).status).toBe(404);
    expect((await shop.api('GET', `/api/orders/${order.id}`, { token: shop.adminToken })).status).toBe(200);
  });

  it('when a checkout completes, then its processing time covers both delays and its eleven steps add up to it', async () => {
    const buyer = await shop.buyer();
    await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 3, quantity: 1 } });
    const { body: order } = await shop.api('POST', '/api/orders/checkout', { token: buyer.token });
    expect(order.status).toBe('confirmed');
    expect(order.processing_duration_ms).toBeGreaterThanOrEqual(150 + 250);
    expect(order.steps.map((s: { name: string }) => s.name)).toEqual([
      '1_get_cart',
      '2_validate_items',
      '3_reserve_inventory',
      '4_create_order',
      '5_create_order_items',
      '6_process_payment',
      '7_record_payment',
      '8_update_inventory',
      '9_send_email',
      '10_create_notification',
      '11_clear_cart',
    ]);
    for (const step of order.steps) expect(step.service).toBe('monolith');
    const sum = order.steps.reduce((total: number, step: { duration_ms: number }) => total + step.duration_ms, 0);
    expect(Math.abs(sum - order.processing_duration_ms)).toBeLessThanOrEqual(3);
    const byName = Object.fromEntries(order.steps.map((s: { name: string; duration_ms: number }) => [s.name, s]));
    expect(byName['6_process_payment'].duration_ms).toBeGreaterThanOrEqual(150);
    expect(byName['9_send_email'].duration_ms).toBeGreaterThanOrEqual(250);
    // Steps run back to back: each starts where the previous one ended.
    for (let i = 1; i < order.steps.length; i += 1) {
      const previous = order.steps[i - 1];
      expect(Date.parse(order.steps[i].started_at)).toBe(Date.parse(previous.started_at) + previous.duration_ms);
    }
    // The email really left at step 9: SMTP accepted it inside the checkout's time window.
    const emailAt = Date.parse(order.email_sent_at);
    expect(emailAt).toBeGreaterThanOrEqual(Date.parse(byName['9_send_email'].started_at));
  });

  it('when the same Idempotency-Key is sent twice, then there is one order and the second answer repeats it', async () => {
    const buyer = await shop.buyer();
    await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 4, quantity: 2 } });
    const stock = await shop.stock(4);
    const headers = { 'Idempotency-Key': 'checkout-once-please' };
    const first = await shop.api('POST', '/api/orders/checkout', { token: buyer.token, headers });
    await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 4, quantity: 1 } });
    const second = await shop.api('POST', '/api/orders/checkout', { token: buyer.token, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await shop.api('GET', '/api/orders', { token: buyer.token })).body).toHaveLength(1);
    expect(await shop.stock(4)).toBe(stock - 2);

    // Another buyer may use the same key: keys are unique per user.
    const other = await shop.buyer();
    await shop.api('POST', '/api/cart/items', { token: other.token, body: { product_id: 4, quantity: 1 } });
    const theirs = await shop.api('POST', '/api/orders/checkout', { token: other.token, headers });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(first.body.id);
  });

  it('when two checkouts race with the same Idempotency-Key, then only one order exists', async () => {
    const buyer = await shop.buyer();
    await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 5, quantity: 1 } });
    const headers = { 'Idempotency-Key': 'double-click' };
    const [a, b] = await Promise.all([
      shop.api('POST', '/api/orders/checkout', { token: buyer.token, headers }),
      shop.api('POST', '/api/orders/checkout', { token: buyer.token, headers }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).toBe(b.body.id);
    const { rows } = await shop.sql.query('SELECT COUNT(*)::int AS n FROM orders WHERE user_id = $1', [buyer.id]);
    expect(rows[0].n).toBe(1);
  });
});
