import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  checkout,
  login,
  type MicroLab,
  newBuyer,
  newProduct,
  startMicroLab,
  waitFinal,
} from '@checkout-lab/stacks/testing';

/**
 * The card provider answers after 1.5 s; payment-service waits 300 ms for it. The first attempt gives up, the message
 * is retried with backoff, and the retry, with the order's idempotency key, reads the charge the provider decided:
 * the order is paid once and confirmed.
 */
describe('payment-service when the card provider is slower than its timeout', () => {
  let lab: MicroLab;
  let admin: string;

  beforeAll(async () => {
    lab = await startMicroLab({ payment_delay_ms: 1500, email_delay_ms: 10 }, { PAYMENT_TIMEOUT_MS: '300' });
    admin = await login(lab.gateway, lab.admin.email, lab.admin.password);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('when the first attempt times out, then a retry finds the charge: one charge, the order confirmed', async () => {
    const product = await newProduct(lab.gateway, admin, 5);
    const buyer = await newBuyer(lab.gateway);
    const accepted = await checkout(lab.gateway, buyer.token, product.id);
    expect(accepted.status).toBe(202);
    const order = await waitFinal(lab.gateway, buyer.token, accepted.body.id);
    expect(order.status).toBe('confirmed');
    const audit = (await call(lab.gateway, 'GET', '/api/lab/audit', { token: admin })).body;
    expect(audit.orders.find((o: { id: number }) => o.id === order.id)).toMatchObject({
      payments: 1,
      provider_charges: 1,
    });
    expect(audit.orphan_charges).toEqual([]);
    // It did time out first: the service logged the attempt that got no answer.
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(lab.stack.services['payment-service'].logFile, 'utf8')).toMatch(/did not answer within 300 ms/);
  });

  it('when the fault payment_hang is on, then the first attempt gets no answer and the retry reads the charge: paid once', async () => {
    await call(lab.gateway, 'PUT', '/api/lab/config', { token: admin, body: { payment_delay_ms: 0 } });
    const set = await call(lab.gateway, 'PUT', '/api/lab/faults', { token: admin, body: { payment_hang: true } });
    expect(set.body.faults.payment_hang).toBe(true);
    const log = lab.stack.services['payment-service'].logFile;
    const timeouts = async () => {
      const { readFileSync } = await import('node:fs');
      return readFileSync(log, 'utf8').split('did not answer within').length - 1;
    };
    const timeoutsBefore = await timeouts();
    try {
      const product = await newProduct(lab.gateway, admin, 5);
      const buyer = await newBuyer(lab.gateway);
      const accepted = await checkout(lab.gateway, buyer.token, product.id);
      expect(accepted.status).toBe(202);
      const order = await waitFinal(lab.gateway, buyer.token, accepted.body.id);
      expect(order.status).toBe('confirmed');
      const audit = (await call(lab.gateway, 'GET', '/api/lab/audit', { token: admin })).body;
      expect(audit.orders.find((o: { id: number }) => o.id === order.id)).toMatchObject({
        payments: 1,
        provider_charges: 1,
      });
      expect(audit.orphan_charges).toEqual([]);
      // The provider really held its answer: the first attempt timed out, with a delay of 0.
      expect(await timeouts()).toBeGreaterThan(timeoutsBefore);
    } finally {
      await call(lab.gateway, 'POST', '/api/lab/faults/reset', { token: admin });
    }
  });
});
