import { confirmationSubject, parseConfirmationSubject } from '@checkout-lab/kit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiClient, pollUntil } from './src/client';
import { everyServiceExists, startTestMicroservices, type TestMicroservices } from './src/micro-stack';

const BUYERS = 50;
const STOCK = 20;

// LESSON: Atomic stock reservation (LESSONS.md#atomic-stock-reservation)
/**
 * Black Friday on the microservices: 50 buyers check out one product with 20 in stock at the same instant.
 * No oversell without a lock held across remote calls: every
 * checkout is accepted at once, product-service's atomic UPDATE decides who gets a unit, and the audit proves it.
 */
describe.skipIf(!everyServiceExists)('Black Friday on the microservices', () => {
  let micro: TestMicroservices;
  let api: ApiClient;

  beforeAll(async () => {
    micro = await startTestMicroservices({ payment_delay_ms: 50, email_delay_ms: 50 });
    api = new ApiClient(micro.stack.gatewayUrl);
  }, 180_000);

  afterAll(async () => {
    await micro?.stop();
  });

  test('when 50 buyers rush 20 units, then exactly 20 confirmed, 30 refused out_of_stock, stock 0, 20 payments, 20 emails', async () => {
    const admin = await api.login(micro.admin.email, micro.admin.password);
    const since = new Date(Date.now() - 1000).toISOString();
    const patched = await api.patch('/api/products/1', { token: admin, body: { stock: STOCK } });
    expect(patched.status).toBe(200);
    expect(patched.body.stock).toBe(STOCK);

    const buyers = await Promise.all(Array.from({ length: BUYERS }, (_v, i) => api.buyer(`bf${i}`)));
    for (const buyer of buyers) {
      const added = await api.post('/api/cart/items', { token: buyer.token, body: { product_id: 1, quantity: 1 } });
      expect(added.status).toBe(201);
    }

    // Everybody at once.
    const answers = await Promise.all(buyers.map((buyer) => api.post('/api/orders/checkout', { token: buyer.token })));
    const refusedAtOnce = answers.filter((answer) => answer.status === 409);
    const accepted = answers.flatMap((answer, index) =>
      answer.status === 202 ? [{ answer, buyer: buyers[index] }] : [],
    );
    expect(refusedAtOnce.length + accepted.length).toBe(BUYERS);
    for (const answer of refusedAtOnce) expect(answer.body.error.code).toBe('OUT_OF_STOCK');
    for (const { answer } of accepted) expect(answer.body.status).toBe('pending');

    const finals = await Promise.all(
      accepted.map(({ answer, buyer }) =>
        pollUntil(
          async () => (await api.get(`/api/orders/${answer.body.id}`, { token: buyer.token })).body,
          (order) => order?.status === 'confirmed' || order?.status === 'cancelled',
          60_000,
        ),
      ),
    );
    const confirmed = finals.filter((order) => order.status === 'confirmed');
    const cancelled = finals.filter((order) => order.status === 'cancelled');
    expect(confirmed).toHaveLength(STOCK);
    expect(cancelled.length + refusedAtOnce.length).toBe(BUYERS - STOCK);
    for (const order of cancelled) expect(order.failure_reason).toBe('out_of_stock');

    // The server-side truth: stock, payments and emails per order.
    const audit = await pollUntil(
      async () => (await api.get(`/api/lab/audit?since=${encodeURIComponent(since)}`, { token: admin })).body,
      (body) => body.orders.filter((o: { emails: number }) => o.emails === 1).length === STOCK,
      30_000,
    );
    expect(audit.products.find((p: { id: number }) => p.id === 1).stock).toBe(0);
    const paid = audit.orders.filter((o: { payments: number }) => o.payments > 0);
    expect(paid).toHaveLength(STOCK);
    expect(paid.every((o: { payments: number; status: string }) => o.payments === 1 && o.status === 'confirmed')).toBe(
      true,
    );
    expect(audit.orders.reduce((sum: number, o: { emails: number }) => sum + o.emails, 0)).toBe(STOCK);
    expect(
      audit.orders.filter((o: { status: string; payments: number }) => o.status === 'cancelled' && o.payments > 0),
    ).toEqual([]);

    // And in the mail catcher: one confirmation per confirmed order, none for the others.
    const mails = await micro.mail.mailbox.waitFor(
      (list) => list.filter((m) => parseConfirmationSubject(m.subject)?.stack === 'microservices').length >= STOCK,
    );
    const subjects = mails.map((m) => m.subject).filter((s) => parseConfirmationSubject(s)?.stack === 'microservices');
    expect(subjects.sort()).toEqual(confirmed.map((order) => confirmationSubject('microservices', order.id)).sort());
  });
});
