import { type LabEvent, makeEvent, names } from '@checkout-lab/shared';
import amqp from 'amqplib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MicroStack } from '@checkout-lab/stacks';
import { internalHeaders, startTestStack, type TestStack } from '@checkout-lab/stacks/testing';

async function waitUntil(predicate: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** payment-service alone, driven by the events it consumes, its effects read from its own database and the broker. */
describe('payment-service', () => {
  let test: TestStack;
  let stack: MicroStack;
  let amqpUrl: string;
  let prefix: string;
  let db: pg.Pool;
  let connection: amqp.ChannelModel;
  let channel: amqp.ConfirmChannel;
  const outcomes: LabEvent[] = [];
  let url: string;
  /** The gateway's internal token: without it /internal/lab/* answers 401. */
  const gatewayHeaders = () => internalHeaders(null, { secret: test.internalSecret });

  beforeAll(async () => {
    test = await startTestStack({
      label: 'pay',
      only: ['payment-service'],
      smtpPort: 1,
      knobs: { payment_delay_ms: 10, payment_failure_rate: 0 },
    });
    ({ stack, amqpUrl, prefix } = test);
    url = stack.services['payment-service'].url;
    db = new pg.Pool({ connectionString: stack.services['payment-service'].databaseUrl ?? '', max: 2 });
    // The stack drops this database when it stops: an idle client's error then is expected, not a failure.
    db.on('error', () => {});
    connection = await amqp.connect(amqpUrl);
    channel = await connection.createConfirmChannel();
    const exchange = names(prefix).exchange;
    const { queue } = await channel.assertQueue(`${names(prefix).queue('test', 'payment-outcomes')}`, {
      exclusive: true,
    });
    await channel.bindQueue(queue, exchange, 'payment.payment.*');
    await channel.consume(
      queue,
      (message) => {
        if (message) outcomes.push(JSON.parse(message.content.toString()));
      },
      { noAck: true },
    );
  });

  afterAll(async () => {
    await connection?.close().catch(() => {});
    await db?.end();
    await test?.stop();
  });

  async function request(
    orderId: number,
    event = makeEvent(
      'order.payment.requested',
      { order_id: orderId, user_id: 7, amount: '19.99' },
      { correlationId: `t-${orderId}` },
    ),
  ) {
    channel.publish(names(prefix).exchange, event.type, Buffer.from(JSON.stringify(event)), {
      persistent: true,
      messageId: event.id,
    });
    await channel.waitForConfirms();
    return event;
  }

  async function paymentsOf(orderId: number) {
    return (await db.query('SELECT status, amount::text AS amount FROM payments WHERE order_id = $1', [orderId])).rows;
  }

  it('when a payment is requested, then one succeeded payment and one payment.payment.processed event', async () => {
    const event = await request(1001);
    await waitUntil(async () => outcomes.some((o) => (o.payload as { order_id: number }).order_id === 1001));
    expect(await paymentsOf(1001)).toEqual([{ status: 'succeeded', amount: '19.99' }]);
    const outcome = outcomes.find((o) => (o.payload as { order_id: number }).order_id === 1001);
    expect(outcome).toMatchObject({
      type: 'payment.payment.processed',
      correlation_id: event.correlation_id,
      causation_id: event.id,
      payload: { order_id: 1001, amount: '19.99', timing: { service: 'payment-service', name: '6_process_payment' } },
    });
  });

  it('when the same request arrives three times, or twice under different event ids, then the order has one payment', async () => {
    const event = await request(1002);
    await request(1002, event);
    await request(1002, event);
    await request(1002); // a new event id for the same order
    await waitUntil(async () => (await paymentsOf(1002)).length === 1);
    // Wait until all four deliveries were processed (three skipped) and every outbox row is published.
    await waitUntil(async () => {
      const processed = await db.query('SELECT count(*)::int AS n FROM processed_events');
      const unsent = await db.query('SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL');
      return processed.rows[0].n >= 3 && unsent.rows[0].n === 0;
    });
    await waitUntil(async () => outcomes.some((o) => (o.payload as { order_id: number }).order_id === 1002));
    expect(await paymentsOf(1002)).toHaveLength(1);
    expect(outcomes.filter((o) => (o.payload as { order_id: number }).order_id === 1002)).toHaveLength(1);
  });

  it('when the failure rate is 1, then the payment is declined and payment.payment.declined is published', async () => {
    const put = await fetch(`${url}/internal/lab/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...gatewayHeaders() },
      body: JSON.stringify({ payment_failure_rate: 1 }),
    });
    expect(await put.json()).toEqual({ payment_delay_ms: 10, payment_failure_rate: 1 });
    await request(1003);
    await waitUntil(async () => outcomes.some((o) => (o.payload as { order_id: number }).order_id === 1003));
    expect(await paymentsOf(1003)).toEqual([{ status: 'declined', amount: '19.99' }]);
    expect(outcomes.find((o) => (o.payload as { order_id: number }).order_id === 1003)?.type).toBe(
      'payment.payment.declined',
    );
    const audit = (await (await fetch(`${url}/internal/lab/audit`, { headers: gatewayHeaders() })).json()) as {
      payments: unknown[];
    };
    expect(audit.payments).toContainEqual({ order_id: 1003, status: 'declined', count: 1 });
  });

  it('when the lab config is changed without the internal token, then 401 and the knobs do not change', async () => {
    const before = await (await fetch(`${url}/internal/lab/config`, { headers: gatewayHeaders() })).json();
    const bare = await fetch(`${url}/internal/lab/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-user-id': '1', 'x-user-admin': 'true' },
      body: JSON.stringify({ payment_failure_rate: 1 }),
    });
    expect(bare.status).toBe(401);
    expect(await (await fetch(`${url}/internal/lab/config`, { headers: gatewayHeaders() })).json()).toEqual(before);
  });

  it('when the config is invalid, then 422 and the knobs do not change', async () => {
    const before = await (await fetch(`${url}/internal/lab/config`, { headers: gatewayHeaders() })).json();
    for (const body of [
      { payment_failure_rate: 2 },
      { payment_delay_ms: -1 },
      { payment_delay_ms: 'slow' },
      { other: 1 },
    ]) {
      const answer = await fetch(`${url}/internal/lab/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...gatewayHeaders() },
        body: JSON.stringify(body),
      });
      expect(answer.status).toBe(422);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_ERROR');
    }
    const malformed = await fetch(`${url}/internal/lab/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...gatewayHeaders() },
      body: '{oops',
    });
    expect(malformed.status).toBe(400);
    expect(await (await fetch(`${url}/internal/lab/config`, { headers: gatewayHeaders() })).json()).toEqual(before);
  });
});
