import { confirmationSubject } from '@checkout-lab/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestShop, startTestShop } from '@checkout-lab/stacks/testing';

/**
 * The fault lab's mail faults on the monolith: the email is sent inside the checkout transaction, so a mail server that
 * refuses fails the checkout (503 EMAIL_FAILED) and keeps nothing. The shop's own transport is refused; the mail
 * catcher stays up all along.
 */
describe('the monolith under the mail faults', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startTestShop();
  });
  afterAll(async () => {
    await shop?.stop();
  });
  const setFaults = async (faults: Record<string, unknown>) => {
    const answer = await shop.api('PUT', '/api/lab/faults', { token: shop.adminToken, body: faults });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };
  const checkout = async () => {
    const buyer = await shop.buyer('mailfault');
    const added = await shop.api('POST', '/api/cart/items', {
      token: buyer.token,
      body: { product_id: 2, quantity: 1 },
    });
    expect(added.status).toBe(201);
    return shop.api('POST', '/api/orders/checkout', { token: buyer.token });
  };
  const subjects = async () => (await shop.mail.mailbox.list()).map((mail) => mail.subject);

  it('when smtp_down is on, then checkout answers 503 EMAIL_FAILED, keeps no order and the transport was refused; when it is cleared, then checkout is confirmed and mailed', async () => {
    const stockBefore = await shop.stock(2);
    await setFaults({ smtp_down: true });
    const refused = await checkout();
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('EMAIL_FAILED');
    expect(await shop.count('orders')).toBe(0);
    expect(await shop.stock(2)).toBe(stockBefore);
    const health = await shop.api('GET', '/health');
    expect(health.body.smtp).toMatchObject({ status: 'failing', last_error: expect.stringMatching(/ECONNREFUSED/) });
    // The mail catcher itself never went away: only this shop's transport was sent where nothing listens.
    expect(await subjects()).toEqual([]);

    await setFaults({ smtp_down: false });
    const confirmed = await checkout();
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.status).toBe('confirmed');
    expect(await subjects()).toEqual([confirmationSubject('monolith', confirmed.body.id)]);
  });

  it('when email_failure_rate is 1, then every send is refused and checkout answers 503 EMAIL_FAILED; when it is 0, then checkout is confirmed', async () => {
    const ordersBefore = await shop.count('orders');
    await setFaults({ email_failure_rate: 1 });
    for (let i = 0; i < 2; i++) {
      const failed = await checkout();
      expect(failed.status).toBe(503);
      expect(failed.body.error.code).toBe('EMAIL_FAILED');
    }
    expect(await shop.count('orders')).toBe(ordersBefore);
    expect((await shop.api('GET', '/health')).body.smtp.last_error).toMatch(/ECONNREFUSED/);

    await setFaults({ email_failure_rate: 0 });
    const confirmed = await checkout();
    expect(confirmed.status).toBe(201);
    expect(await subjects()).toContain(confirmationSubject('monolith', confirmed.body.id));
  });
});
