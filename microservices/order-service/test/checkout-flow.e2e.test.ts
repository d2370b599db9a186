import { confirmationSubject } from '@checkout-lab/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalHeaders } from '@checkout-lab/stacks/testing';
import {
  call,
  checkout,
  confirmationMails,
  type MicroLab,
  login,
  newBuyer,
  newProduct,
  queryService,
  startMicroLab,
  stockOf,
  waitFinal,
} from '@checkout-lab/stacks/testing';

describe('checkout through the gateway, on the event-driven stack', () => {
  let lab: MicroLab;
  let admin: string;

  beforeAll(async () => {
    // Stale cart holds are swept after a second here (30 s by default), so the sweep can be watched.
    lab = await startMicroLab({}, { CART_HOLD_TIMEOUT_MS: '1000', CART_HOLD_SWEEP_MS: '200' });
    admin = await login(lab.gateway, lab.admin.email, lab.admin.password);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('when a buyer checks out, then 202 pending, later confirmed, one payment, one email, stock down, cart empty', async () => {
    const product = await newProduct(lab.gateway, admin, 10, '12.50');
    const buyer = await newBuyer(lab.gateway);
    const accepted = await checkout(lab.gateway, buyer.token, product.id, 2);
    expect(accepted.status).toBe(202);
    expect(accepted.body.status).toBe('pending');
    expect(accepted.headers.get('location')).toBe(`/api/orders/${accepted.body.id}`);
    expect(accepted.body.total).toBe('25.00');
    expect(accepted.body.items).toEqual([{ product_id: product.id, quantity: 2, unit_price: '12.50' }]);
    expect(accepted.body.processing_duration_ms).toBeGreaterThan(0);
    expect(accepted.body.completion_duration_ms).toBeNull();
    // The cart is cleared once the order is accepted: already empty when the 202 arrives, whatever the events do.
    expect((await call(lab.gateway, 'GET', '/api/cart', { token: buyer.token })).body.items).toEqual([]);

    const order = await waitFinal(lab.gateway, buyer.token, accepted.body.id);
    expect(order.status).toBe('confirmed');
    expect(order.failure_reason).toBeNull();
    expect(order.email_sent_at).not.toBeNull();
    expect(order.completion_duration_ms).toBeGreaterThan(0);
    // The accept's figure is one number: the 202's, the stored order's and its first step's.
    expect(order.processing_duration_ms).toBe(accepted.body.processing_duration_ms);
    expect(order.steps[0]).toMatchObject({
      name: 'accept_checkout',
      duration_ms: accepted.body.processing_duration_ms,
    });
    const [created] = await queryService(
      lab,
      'order-service',
      `SELECT payload FROM outbox WHERE type = 'order.order.created' AND (payload->'payload'->>'order_id')::int = $1`,
      [order.id],
    );
    expect(created.payload).toMatchObject({
      correlation_id: accepted.headers.get('x-request-id'),
      payload: { order_id: order.id },
    });
    expect(order.steps.map((step: { service: string }) => step.service)).toEqual([
      'order-service',
      'product-service',
      'payment-service',
      'email-service',
    ]);

    const mails = await lab.mail.mailbox.waitFor((list) =>
      list.some((mail) => mail.subject === confirmationSubject('microservices', order.id)),
    );
    const mail = mails.find((m) => m.subject === confirmationSubject('microservices', order.id));
    expect(mail?.to[0].address).toBe(buyer.email);
    expect(mail?.from[0].address).toBe('shop@checkout.lab');

    const payments = await queryService(lab, 'payment-service', 'SELECT status FROM payments WHERE order_id = $1', [
      order.id,
    ]);
    expect(payments).toEqual([{ status: 'succeeded' }]);
    expect(await stockOf(lab.gateway, product.id)).toBe(8);
    const cart = await call(lab.gateway, 'GET', '/api/cart', { token: buyer.token });
    expect(cart.body.items).toEqual([]);
    // The hold checkout took the cart into is named on the order, and order.order.created settled it.
    const [{ cart_hold_id }] = await queryService(
      lab,
      'order-service',
      'SELECT cart_hold_id FROM orders WHERE id = $1',
      [order.id],
    );
    const byHold = await call(
      lab.stack.services['order-service'].url,
      'GET',
      `/internal/orders/by-cart-hold/${cart_hold_id}`,
      { headers: internalHeaders(null, { secret: lab.internalSecret, caller: 'cart-service' }) },
    );
    expect(byHold.body).toEqual({ order_id: order.id });
    await expect
      .poll(async () => queryService(lab, 'cart-service', 'SELECT id FROM cart_holds WHERE id = $1', [cart_hold_id]))
      .toEqual([]);
    const notifications = await call(lab.gateway, 'GET', '/api/notifications', { token: buyer.token });
    expect(notifications.body).toHaveLength(1);
    expect(notifications.body[0]).toMatchObject({ type: 'order_confirmed', read: false });
  });

  it('when the payment is declined, then cancelled payment_declined, stock restored, no confirmation email', async () => {
    const changed = await call(lab.gateway, 'PUT', '/api/lab/config', {
      token: admin,
      body: { payment_failure_rate: 1 },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.payment_failure_rate).toBe(1);
    try {
      const product = await newProduct(lab.gateway, admin, 5);
      const buyer = await newBuyer(lab.gateway);
      const accepted = await checkout(lab.gateway, buyer.token, product.id, 3);
      expect(accepted.status).toBe(202);
      const order = await waitFinal(lab.gateway, buyer.token, accepted.body.id);
      expect(order).toMatchObject({ status: 'cancelled', failure_reason: 'payment_declined', email_sent_at: null });
      // The compensation runs after the cancel: wait for product-service to put the stock back.
      for (let i = 0; i < 100 && (await stockOf(lab.gateway, product.id)) !== 5; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await stockOf(lab.gateway, product.id)).toBe(5);
      const payments = await queryService(lab, 'payment-service', 'SELECT status FROM payments WHERE order_id = $1', [
        order.id,
      ]);
      expect(payments).toEqual([{ status: 'declined' }]);
      expect(await confirmationMails(lab)).not.toContain(order.id);
    } finally {
      await call(lab.gateway, 'PUT', '/api/lab/config', { token: admin, body: { payment_failure_rate: 0 } });
    }
  });

  it('when the cart is empty, then 400 CART_EMPTY and no order is written', async () => {
    const buyer = await newBuyer(lab.gateway);
    const answer = await call(lab.gateway, 'POST', '/api/orders/checkout', { token: buyer.token });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('CART_EMPTY');
    expect((await call(lab.gateway, 'GET', '/api/orders', { token: buyer.token })).body).toEqual([]);
  });

  it('when the same Idempotency-Key is sent twice, then one order is created and both answers name it', async () => {
    const product = await newProduct(lab.gateway, admin, 5);
    const buyer = await newBuyer(lab.gateway);
    await call(lab.gateway, 'POST', '/api/cart/items', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 1 },
    });
    const headers = { 'idempotency-key': 'checkout-once' };
    const [first, second] = await Promise.all([
      call(lab.gateway, 'POST', '/api/orders/checkout', { token: buyer.token, headers }),
      call(lab.gateway, 'POST', '/api/orders/checkout', { token: buyer.token, headers }),
    ]);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    const orders = await call(lab.gateway, 'GET', '/api/orders', { token: buyer.token });
    expect(orders.body).toHaveLength(1);
  });

  it('when one buyer sends two checkouts at once, then one order and one 400 CART_EMPTY', async () => {
    const product = await newProduct(lab.gateway, admin, 5);
    const buyer = await newBuyer(lab.gateway);
    await call(lab.gateway, 'POST', '/api/cart/items', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 2 },
    });
    const answers = await Promise.all([
      call(lab.gateway, 'POST', '/api/orders/checkout', { token: buyer.token }),
      call(lab.gateway, 'POST', '/api/orders/checkout', { token: buyer.token }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 400]);
    expect(answers.find((a) => a.status === 400)?.body.error.code).toBe('CART_EMPTY');
    const orders = await call(lab.gateway, 'GET', '/api/orders', { token: buyer.token });
    expect(orders.body.map((o: { items: unknown }) => o.items)).toEqual([
      [{ product_id: product.id, quantity: 2, unit_price: '10.00' }],
    ]);
  });

  it('when the buyer adds again right after the 202 and checks out again, then the second order holds only the new line', async () => {
    const first = await newProduct(lab.gateway, admin, 5);
    const second = await newProduct(lab.gateway, admin, 5);
    const buyer = await newBuyer(lab.gateway);
    const one = await checkout(lab.gateway, buyer.token, first.id, 1);
    const two = await checkout(lab.gateway, buyer.token, second.id, 1);
    expect([one.status, two.status]).toEqual([202, 202]);
    expect(one.body.items).toEqual([{ product_id: first.id, quantity: 1, unit_price: '10.00' }]);
    expect(two.body.items).toEqual([{ product_id: second.id, quantity: 1, unit_price: '10.00' }]);
    for (const id of [one.body.id, two.body.id])
      expect((await waitFinal(lab.gateway, buyer.token, id)).status).toBe('confirmed');
    expect((await call(lab.gateway, 'GET', '/api/cart', { token: buyer.token })).body.items).toEqual([]);
    expect([await stockOf(lab.gateway, first.id), await stockOf(lab.gateway, second.id)]).toEqual([4, 4]);
  });

  it('when a cart was taken but no order was written (order-service died in between), then the sweep puts it back', async () => {
    const product = await newProduct(lab.gateway, admin, 5);
    const buyer = await newBuyer(lab.gateway);
    await call(lab.gateway, 'POST', '/api/cart/items', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 2 },
    });
    const userId = (await call(lab.gateway, 'GET', '/api/auth/me', { token: buyer.token })).body.id;
    // What order-service does first at checkout; then, in this story, it dies before writing the order.
    const holdId = crypto.randomUUID();
    const taken = await call(lab.stack.services['cart-service'].url, 'POST', `/internal/carts/${userId}/checkout`, {
      body: { hold_id: holdId },
      headers: internalHeaders({ userId }, { secret: lab.internalSecret, caller: 'order-service' }),
    });
    expect(taken.body.items).toHaveLength(1);
    expect((await call(lab.gateway, 'GET', '/api/cart', { token: buyer.token })).body.items).toEqual([]);
    // order-service (the real one) has no order for the hold: the sweep gives the lines back.
    await expect
      .poll(async () => (await call(lab.gateway, 'GET', '/api/cart', { token: buyer.token })).body.items, {
        timeout: 15_000,
      })
      .toEqual([expect.objectContaining({ product_id: product.id, quantity: 2 })]);
    expect(await queryService(lab, 'cart-service', 'SELECT id FROM cart_holds WHERE id = $1', [holdId])).toEqual([]);
  });

  it("when a buyer asks for someone else's order, then 404; for a malformed id, then 422", async () => {
    const product = await newProduct(lab.gateway, admin, 5);
    const owner = await newBuyer(lab.gateway);
    const other = await newBuyer(lab.gateway);
    const accepted = await checkout(lab.gateway, owner.token, product.id, 1);
    expect((await call(lab.gateway, 'GET', `/api/orders/${accepted.body.id}`, { token: other.token })).status).toBe(
      404,
    );
    expect((await call(lab.gateway, 'GET', `/api/orders/${accepted.body.id}`, { token: admin })).status).toBe(200);
    const malformed = await call(lab.gateway, 'GET', '/api/orders/abc', { token: owner.token });
    expect(malformed.status).toBe(422);
    expect(malformed.body.error.code).toBe('VALIDATION_ERROR');
  });
});
