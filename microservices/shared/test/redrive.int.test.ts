import { createLogger } from '@checkout-lab/kit';
import { createTestDatabase, type TestDatabase, testAmqpUrl, uniqueName } from '@checkout-lab/kit/testing';
import amqp from 'amqplib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HEADERS,
  type LabEvent,
  Messaging,
  makeEvent,
  messagingMigrations,
  migrate,
  names,
  peekDeadLetters,
  queueDepth,
  redrive,
} from '../src/index';
import { deleteBrokerObjects } from '@checkout-lab/stacks';

const log = createLogger('redrive-test', process.env.TEST_LOG ?? 'silent');

async function waitUntil(predicate: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function createdEvent(orderId: number): LabEvent<'order.order.created'> {
  return makeEvent(
    'order.order.created',
    { order_id: orderId, user_id: 1, user_email: 'a@b.c', items: [], total: '1.00', cart_hold_id: crypto.randomUUID() },
    { correlationId: `redrive-${orderId}` },
  );
}

describe('redrive', () => {
  let amqpUrl: string;
  let prefix: string;
  let db: TestDatabase;
  let pool: pg.Pool;
  const adapters: Messaging[] = [];

  beforeAll(async () => {
    amqpUrl = await testAmqpUrl();
    prefix = uniqueName('redrive');
    db = await createTestDatabase('redrive_test');
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    pool.on('error', () => {});
    await migrate(pool, messagingMigrations);
  });

  afterAll(async () => {
    for (const messaging of adapters) await messaging.stop().catch(() => {});
    await pool?.end();
    await db?.drop();
    if (prefix) await deleteBrokerObjects(amqpUrl, prefix);
  });

  /** Parks letters in a quorum DLQ exactly as the adapter's deadLetter() does, with a quorum work queue beside it. */
  async function parkLetters(service: string, count: number) {
    const n = names(prefix);
    const dlq = n.dlq(service);
    const target = n.queue(service, 'order.order.created');
    const connection = await amqp.connect(amqpUrl);
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(dlq, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await channel.assertQueue(target, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const events = Array.from({ length: count }, (_, i) => createdEvent(1000 + i));
    for (const event of events) {
      channel.sendToQueue(dlq, Buffer.from(JSON.stringify(event)), {
        persistent: true,
        messageId: event.id,
        type: event.type,
        headers: {
          [HEADERS.originalQueue]: target,
          [HEADERS.error]: 'simulated failure',
          [HEADERS.retryCount]: 2,
          [HEADERS.deadLetteredAt]: new Date().toISOString(),
        },
      });
    }
    await channel.waitForConfirms();
    await connection.close();
    return { dlq, target, events };
  }

  it('when a quorum DLQ holds 2 letters, then redrive moves 2, the DLQ is empty and the work queue gained exactly 2', async () => {
    const { dlq, target } = await parkLetters('quorum', 2);
    expect(await queueDepth(amqpUrl, dlq)).toBe(2);

    expect(await redrive(amqpUrl, dlq, { limit: 2 })).toBe(2);

    // A lost ack would put the letters back into the DLQ once the broker notices the closed connection: give it time.
    await new Promise((r) => setTimeout(r, 500));
    expect(await queueDepth(amqpUrl, dlq)).toBe(0);
    expect(await queueDepth(amqpUrl, target)).toBe(2);
  });

  it('when only some ids are asked for, then only those move, each once, and the others stay in the DLQ', async () => {
    const { dlq, target, events } = await parkLetters('some', 3);
    const moved = await redrive(amqpUrl, dlq, { ids: [events[0].id, events[2].id] });
    expect(moved).toBe(2);
    await new Promise((r) => setTimeout(r, 500));
    expect(await queueDepth(amqpUrl, target)).toBe(2);
    const left = await peekDeadLetters(amqpUrl, dlq);
    expect(left.map((letter) => letter.event_id)).toEqual([events[1].id]);
  });

  it('when a service has no DLQ yet, then it lists no letters and redrives none', async () => {
    const dlq = names(prefix).dlq('never-started');
    expect(await peekDeadLetters(amqpUrl, dlq)).toEqual([]);
    expect(await redrive(amqpUrl, dlq)).toBe(0);
  });

  it('when the redriven message fails again at once, then each call redrives it once and returns', {
    timeout: 30_000,
  }, async () => {
    // No retries: a failure goes straight back to the DLQ, faster than a redrive loop can fetch the next message.
    const consumer = new Messaging({ amqpUrl, rabbitPrefix: prefix, service: 'poison', pool, log, retryDelaysMs: [] });
    adapters.push(consumer);
    let attempts = 0;
    consumer.consume('order.order.created', async () => {
      attempts += 1;
      throw new Error('still broken');
    });
    await consumer.start({ relay: false });
    const dlq = consumer.dlq;
    const event = createdEvent(4242);
    const connection = await amqp.connect(amqpUrl);
    const channel = await connection.createConfirmChannel();
    channel.sendToQueue(names(prefix).queue('poison', 'order.order.created'), Buffer.from(JSON.stringify(event)), {
      persistent: true,
      messageId: event.id,
    });
    await channel.waitForConfirms();
    await connection.close();
    await waitUntil(async () => (await queueDepth(amqpUrl, dlq)) === 1);
    expect(attempts).toBe(1);

    for (let call = 1; call <= 3; call++) {
      expect(await redrive(amqpUrl, dlq)).toBe(1);
      await waitUntil(async () => (await queueDepth(amqpUrl, dlq)) === 1 && attempts === call + 1);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(attempts).toBe(4);
    const [letter] = await peekDeadLetters(amqpUrl, dlq);
    expect(letter.event_id).toBe(event.id);
  });
});
