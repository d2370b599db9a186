import { confirmationSubject } from '@checkout-lab/kit';
import { type FaultySmtp, startFaultySmtp, startTestMailCatcher, type TestMail } from '@checkout-lab/kit/testing';
import { names, queueDepth } from '@checkout-lab/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  checkout,
  login,
  newBuyer,
  newProduct,
  startTestStack,
  type TestStack,
  waitFinal,
} from '@checkout-lab/stacks/testing';

async function waitUntil(what: string, predicate: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The whole microservices stack, its mail server down for real, then back. */
describe('the microservices during an SMTP outage', () => {
  let smtp: FaultySmtp;
  let catcher: TestMail;
  let test: TestStack;
  beforeAll(async () => {
    smtp = await startFaultySmtp('refuse');
    catcher = await startTestMailCatcher();
    test = await startTestStack({ label: 'smtpstack', smtpPort: smtp.port, env: { MAIL_UI_URL: catcher.webUrl } });
  });
  afterAll(async () => {
    await test?.stop();
    await catcher?.stop();
    await smtp?.stop();
  });

  it('when SMTP refuses, then paid orders stay paid, their emails end in the DLQ and the gateway is degraded; when SMTP is back, then a new order is confirmed and the gateway is ok', async () => {
    const admin = await login(test.gateway, test.admin.email, test.admin.password);
    const product = await newProduct(test.gateway, admin, 20);
    const buyers = await Promise.all(Array.from({ length: 6 }, () => newBuyer(test.gateway)));
    const orders = await Promise.all(
      buyers.map(async (buyer) => {
        const accepted = await checkout(test.gateway, buyer.token, product.id);
        expect(accepted.status).toBe(202);
        return { buyer, id: accepted.body.id as number };
      }),
    );
    const dlq = names(test.prefix).dlq('email-service');
    await waitUntil('every email in the DLQ', async () => (await queueDepth(test.amqpUrl, dlq)) === orders.length);
    for (const order of orders) {
      const answer = await call(test.gateway, 'GET', `/api/orders/${order.id}`, { token: order.buyer.token });
      expect(answer.body).toMatchObject({ status: 'paid', email_sent_at: null });
    }
    const degraded = await call(test.gateway, 'GET', '/health');
    expect(degraded.status).toBe(503);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.services['email-service'].status).not.toBe('ok');
    expect(degraded.body.services['order-service'].status).toBe('ok');

    await smtp.set('forward', catcher.smtpPort);
    const buyer = await newBuyer(test.gateway);
    const accepted = await checkout(test.gateway, buyer.token, product.id);
    const order = await waitFinal(test.gateway, buyer.token, accepted.body.id);
    expect(order.status).toBe('confirmed');
    expect((await catcher.mailbox.list()).map((mail) => mail.subject)).toEqual([
      confirmationSubject('microservices', order.id),
    ]);
    await waitUntil('the gateway ok', async () => (await call(test.gateway, 'GET', '/health')).status === 200);
  });

  // The fault lab's smtp_down: email-service's own transport is sent where nothing listens, the mail server stays up.
  const setFaults = async (admin: string, faults: Record<string, unknown>) => {
    const answer = await call(test.gateway, 'PUT', '/api/lab/faults', { token: admin, body: faults });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };
  const dlqDepth = () => queueDepth(test.amqpUrl, names(test.prefix).dlq('email-service'));

  it('when smtp_down is on, then an order is accepted, paid and not confirmed, its email refused into the DLQ; when it is cleared and the letters redriven, then it is confirmed and mailed', async () => {
    const admin = await login(test.gateway, test.admin.email, test.admin.password);
    const product = await newProduct(test.gateway, admin, 5);
    const before = await dlqDepth();
    await setFaults(admin, { smtp_down: true });
    const buyer = await newBuyer(test.gateway);
    const accepted = await checkout(test.gateway, buyer.token, product.id);
    expect(accepted.status).toBe(202);
    const orderId = accepted.body.id as number;
    await waitUntil('the email in the DLQ', async () => (await dlqDepth()) === before + 1);
    const waiting = await call(test.gateway, 'GET', `/api/orders/${orderId}`, { token: buyer.token });
    expect(waiting.body).toMatchObject({ status: 'paid', email_sent_at: null });
    const health = await call(test.stack.services['email-service'].url, 'GET', '/health');
    expect(health.body.smtp.last_error).toMatch(/ECONNREFUSED/);
    const mine = confirmationSubject('microservices', orderId);
    expect((await catcher.mailbox.list()).map((mail) => mail.subject)).not.toContain(mine);

    await setFaults(admin, { smtp_down: false });
    const redriven = await call(test.gateway, 'POST', '/api/lab/dead-letters/redrive', { token: admin });
    expect(redriven.body).toEqual({ redriven: before + 1 });
    expect((await waitFinal(test.gateway, buyer.token, orderId)).status).toBe('confirmed');
    expect((await catcher.mailbox.list()).map((mail) => mail.subject)).toContain(mine);
  });

  it('when email_failure_rate is 1, then a paid order is not confirmed, its email refused into the DLQ; when it is 0, then a new order is confirmed and mailed', async () => {
    const admin = await login(test.gateway, test.admin.email, test.admin.password);
    const product = await newProduct(test.gateway, admin, 5);
    const before = await dlqDepth();
    await setFaults(admin, { email_failure_rate: 1 });
    const buyer = await newBuyer(test.gateway);
    const refused = await checkout(test.gateway, buyer.token, product.id);
    await waitUntil('the email in the DLQ', async () => (await dlqDepth()) === before + 1);
    const waiting = await call(test.gateway, 'GET', `/api/orders/${refused.body.id}`, { token: buyer.token });
    expect(waiting.body).toMatchObject({ status: 'paid', email_sent_at: null });
    const subjects = async () => (await catcher.mailbox.list()).map((mail) => mail.subject);
    expect(await subjects()).not.toContain(confirmationSubject('microservices', refused.body.id));

    await setFaults(admin, { email_failure_rate: 0 });
    const next = await newBuyer(test.gateway);
    const accepted = await checkout(test.gateway, next.token, product.id);
    expect((await waitFinal(test.gateway, next.token, accepted.body.id)).status).toBe('confirmed');
    expect(await subjects()).toContain(confirmationSubject('microservices', accepted.body.id));
  });
});
