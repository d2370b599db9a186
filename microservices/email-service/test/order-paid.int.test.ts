import { confirmationSubject, freePort } from '@checkout-lab/kit';
import { startTestMailCatcher, type TestMail } from '@checkout-lab/kit/testing';
import { makeEvent, names, peekDeadLetters, queueDepth } from '@checkout-lab/shared';
import amqp from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { internalHeaders, startTestStack, TEST_INTERNAL_SECRET } from '@checkout-lab/stacks/testing';

async function waitUntil(predicate: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function paidEvent(orderId: number, email: string) {
  return makeEvent(
    'order.order.paid',
    { order_id: orderId, user_id: 42, user_email: email, total: '9.99', items: [] },
    { correlationId: `t-${orderId}` },
  );
}

async function publish(amqpUrl: string, prefix: string, event: ReturnType<typeof paidEvent>, times = 1) {
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    for (let i = 0; i < times; i++) {
      channel.publish(names(prefix).exchange, event.type, Buffer.from(JSON.stringify(event)), {
        persistent: true,
        messageId: event.id,
      });
    }
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** email-service alone: real SMTP to a catcher of the test's own, or to a port where nothing listens. */
describe('email-service', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  async function startEmail(smtpPort: number, mail?: TestMail) {
    const test = await startTestStack({
      label: 'mail',
      only: ['email-service'],
      mail,
      smtpPort,
      knobs: { email_delay_ms: 10 },
      env: { SMTP_TIMEOUT_MS: '2000' },
    });
    cleanups.push(() => test.stop());
    const { stack, amqpUrl, prefix } = test;
    return { stack, amqpUrl, prefix, url: stack.services['email-service'].url };
  }

  it('when an order is paid (even if the event comes twice), then one confirmation mail and one notification', async () => {
    const mail = await startTestMailCatcher();
    cleanups.push(() => mail.stop());
    const email = await startEmail(mail.smtpPort, mail);
    await publish(email.amqpUrl, email.prefix, paidEvent(501, 'buyer501@example.com'), 2);
    const mails = await mail.mailbox.waitFor((list) => list.length >= 1);
    expect(mails[0]).toMatchObject({ subject: confirmationSubject('microservices', 501) });
    expect(mails[0].to[0].address).toBe('buyer501@example.com');
    expect(mails[0].from[0].address).toBe('shop@checkout.lab');

    // As the gateway calls for buyer 42 (internal token), or for no buyer (its lab calls).
    const asBuyer = (userId: number) => internalHeaders({ userId }, { secret: TEST_INTERNAL_SECRET });
    const gateway = () => internalHeaders(null, { secret: TEST_INTERNAL_SECRET });
    await waitUntil(async () => {
      const list = (await (
        await fetch(`${email.url}/api/notifications`, { headers: asBuyer(42) })
      ).json()) as unknown[];
      return list.length === 1;
    });
    const audit = (await (await fetch(`${email.url}/internal/lab/audit`, { headers: gateway() })).json()) as {
      emails: unknown[];
    };
    expect(audit.emails).toEqual([{ order_id: 501, count: 1 }]);
    expect(await mail.mailbox.list()).toHaveLength(1);

    const anonymous = await fetch(`${email.url}/api/notifications`);
    expect(anonymous.status).toBe(401);
    const someoneElse = await fetch(`${email.url}/api/notifications`, { headers: asBuyer(43) });
    expect(await someoneElse.json()).toEqual([]);
    const claimed = await fetch(`${email.url}/api/notifications`, { headers: { 'x-user-id': '42' } });
    expect(claimed.status).toBe(401);

    // A reset clears the records and this stack's mail in the catcher.
    const reset = await fetch(`${email.url}/internal/lab/reset`, { method: 'POST', headers: gateway() });
    expect(reset.status).toBe(200);
    expect(await mail.mailbox.list()).toHaveLength(0);
  });

  it('when the SMTP server refuses every send, then the message is retried and ends in the DLQ, with nothing recorded', async () => {
    const email = await startEmail(await freePort());
    const event = paidEvent(502, 'buyer502@example.com');
    await publish(email.amqpUrl, email.prefix, event);
    const dlq = names(email.prefix).dlq('email-service');
    await waitUntil(async () => (await queueDepth(email.amqpUrl, dlq)) === 1);
    const [letter] = await peekDeadLetters(email.amqpUrl, dlq);
    expect(letter.event_id).toBe(event.id);
    expect(letter.queue).toBe(names(email.prefix).queue('email-service', 'order.order.paid'));
    expect(letter.error).toBeTruthy();
    const audit = (await (
      await fetch(`${email.url}/internal/lab/audit`, {
        headers: internalHeaders(null, { secret: TEST_INTERNAL_SECRET }),
      })
    ).json()) as { emails: unknown[] };
    expect(audit.emails).toEqual([]);
  });
});
