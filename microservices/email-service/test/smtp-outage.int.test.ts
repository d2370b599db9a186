import fs from 'node:fs';
import { confirmationSubject } from '@checkout-lab/kit';
import { type FaultySmtp, startFaultySmtp, startTestMailCatcher, type TestMail } from '@checkout-lab/kit/testing';
import { makeEvent, names, peekDeadLetters, queueDepth } from '@checkout-lab/shared';
import amqp from 'amqplib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from '@checkout-lab/stacks/testing';

async function waitUntil(what: string, predicate: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function paidEvent(orderId: number) {
  return makeEvent(
    'order.order.paid',
    { order_id: orderId, user_id: 42, user_email: `buyer${orderId}@example.com`, total: '9.99', items: [] },
    { correlationId: `outage-${orderId}` },
  );
}

async function publish(amqpUrl: string, prefix: string, orderIds: number[]) {
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    for (const id of orderIds) {
      const event = paidEvent(id);
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

interface Health {
  status: string;
  smtp: { status: string; consecutive_failures: number; in_flight: number };
}

/** email-service alone, behind a mail server that fails for real; each test gets its own stack and server. */
describe('email-service during an SMTP outage', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });
  let catcher: TestMail;
  beforeAll(async () => {
    catcher = await startTestMailCatcher();
    cleanups.push(() => catcher.stop());
  });
  const subjects = async () => (await catcher.mailbox.list()).map((mail) => mail.subject);

  async function startOutage(mode: 'refuse' | 'hang') {
    const smtp: FaultySmtp = await startFaultySmtp(mode);
    cleanups.push(() => smtp.stop());
    const test = await startTestStack({
      label: 'smtpout',
      only: ['email-service'],
      smtpPort: smtp.port,
      knobs: { email_delay_ms: 10 },
      // A long deadline, so that a send to the server that never greets is really stuck; info logs, to read them.
      env: { SMTP_TIMEOUT_MS: '60000', MAIL_UI_URL: catcher.webUrl, LOG_LEVEL: 'info' },
    });
    cleanups.push(() => test.stop());
    const service = test.stack.services['email-service'];
    const health = async () => {
      const response = await fetch(`${service.url}/health`);
      return { code: response.status, body: (await response.json()) as Health };
    };
    /** Sends SMTP accepted, per order, as email-service recorded them (its audit's source). */
    const audit = async () => {
      const client = new pg.Client({ connectionString: service.databaseUrl ?? '' });
      await client.connect();
      try {
        const { rows } = await client.query<{ order_id: number; count: number }>(
          'SELECT order_id, count(*)::int AS count FROM email_sends GROUP BY order_id ORDER BY order_id',
        );
        return rows;
      } finally {
        await client.end();
      }
    };
    /** How many deliveries the service's log says failed and were sent to their first retry. */
    const firstRetries = () => fs.readFileSync(service.logFile, 'utf8').match(/"retry":1,/g)?.length ?? 0;
    return {
      smtp,
      test,
      health,
      audit,
      firstRetries,
      dlq: names(test.prefix).dlq('email-service'),
      publish: (orderIds: number[]) => publish(test.amqpUrl, test.prefix, orderIds),
    };
  }

  it('when SMTP refuses connections, then each paid order is retried and dead-lettered, and /health is degraded; when SMTP is back, then a new order is emailed', async () => {
    const { smtp, test, health, audit, dlq, publish } = await startOutage('refuse');
    const orders = [601, 602, 603, 604, 605, 606];
    await publish(orders);
    await waitUntil('every order in the DLQ', async () => (await queueDepth(test.amqpUrl, dlq)) === orders.length);
    const letters = await peekDeadLetters(test.amqpUrl, dlq);
    expect(letters.map((letter) => letter.attempts)).toEqual(Array(orders.length).fill(4));
    expect(letters.map((letter) => letter.error).join()).toMatch(/ECONNREFUSED/);
    expect(await audit()).toEqual([]);
    const degraded = await health();
    expect(degraded.code).toBe(503);
    expect(degraded.body).toMatchObject({ status: 'degraded', smtp: { status: 'failing' } });

    await smtp.set('forward', catcher.smtpPort);
    await publish([607]);
    await waitUntil('the new order emailed', async () =>
      (await subjects()).includes(confirmationSubject('microservices', 607)),
    );
    await waitUntil('health ok', async () => (await health()).code === 200);
    expect((await health()).body).toMatchObject({ status: 'ok', smtp: { status: 'ok' } });
  });

  it('when SMTP comes back within the retries, then every waiting order is emailed once and none is dead-lettered', async () => {
    const { smtp, test, audit, dlq, publish, firstRetries } = await startOutage('refuse');
    const orders = [611, 612, 613, 614, 615, 616];
    await publish(orders);
    await waitUntil('every first attempt failed', async () => firstRetries() >= orders.length);
    await smtp.set('forward', catcher.smtpPort);
    const wanted = orders.map((id) => confirmationSubject('microservices', id));
    await waitUntil('every order emailed', async () => {
      const caught = await subjects();
      return wanted.every((subject) => caught.includes(subject));
    });
    expect(await queueDepth(test.amqpUrl, dlq)).toBe(0);
    await waitUntil('every send recorded', async () => (await audit()).length === orders.length);
    expect(await audit()).toEqual(orders.map((order_id) => ({ order_id, count: 1 })));
  });

  it('when a send hangs and SIGTERM comes, then email-service stops by itself, and after its restart the email goes out once', async () => {
    const { smtp, test, audit, health, publish } = await startOutage('hang');
    await publish([621]);
    await waitUntil('the send waiting on the server', async () => smtp.accepted > 0);
    expect((await health()).body.smtp).toMatchObject({ in_flight: 1 });

    await test.stack.kill('email-service', 'SIGTERM');
    const log = fs.readFileSync(test.stack.services['email-service'].logFile, 'utf8');
    expect(log).toContain('"msg":"email-service stopped"');
    expect(log).not.toMatch(/did not stop/);

    await smtp.set('forward', catcher.smtpPort);
    await test.stack.restart('email-service');
    await waitUntil('the interrupted order emailed', async () =>
      (await subjects()).includes(confirmationSubject('microservices', 621)),
    );
    await waitUntil('its send recorded', async () => (await audit()).some((row) => row.order_id === 621));
    expect(await audit()).toEqual([{ order_id: 621, count: 1 }]);
  });
});
