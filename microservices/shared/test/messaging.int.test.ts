import { createLogger } from '@checkout-lab/kit';
import { createTestDatabase, type TestDatabase, testAmqpUrl, uniqueName } from '@checkout-lab/kit/testing';
import amqp from 'amqplib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LabEvent,
  Messaging,
  makeEvent,
  messagingMigrations,
  migrate,
  outbox,
  peekDeadLetters,
  queueDepth,
  redrive,
  withTransaction,
} from '../src/index';
import { deleteBrokerObjects } from '@checkout-lab/stacks';

const log = createLogger('messaging-test', process.env.TEST_LOG ?? 'silent');

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
    { correlationId: `test-${orderId}` },
  );
}

describe('messaging adapter', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let amqpUrl: string;
  let prefix: string;
  const adapters: Messaging[] = [];

  function adapter(service: string, retryDelaysMs = [50, 100]): Messaging {
    const messaging = new Messaging({
      amqpUrl,
      rabbitPrefix: prefix,
      service,
      pool,
      log,
      retryDelaysMs,
      outboxPollMs: 50,
    });
    adapters.push(messaging);
    return messaging;
  }

  beforeAll(async () => {
    amqpUrl = await testAmqpUrl();
    prefix = uniqueName('msg');
    db = await createTestDatabase('msg_test');
    pool = new pg.Pool({ connectionString: db.url, max: 10 });
    // Dropping the test database at the end ends its sessions: an idle client's error then is expected, not a failure.
    pool.on('error', () => {});
    await migrate(pool, [
      ...messagingMigrations,
      { id: '100_effects', sql: 'CREATE TABLE effects (id serial PRIMARY KEY, order_id int NOT NULL)' },
    ]);
  });

  afterAll(async () => {
    for (const messaging of adapters) await messaging.stop().catch(() => {});
    await pool?.end();
    await db?.drop();
    if (prefix) await deleteBrokerObjects(amqpUrl, prefix);
  });

  it('when the connection is cut while the relay publishes, then every row is published and none is marked sent without an ack', async () => {
    // A listener of our own on the exchange records what the broker really routed.
    const listener = adapter('listener');
    const received: string[] = [];
    listener.consume('order.order.created', async (event) => {
      received.push(event.id);
    });
    await listener.start({ relay: false });

    const publisher = adapter('publisher');
    await publisher.start();
    const ids: string[] = [];
    for (let batch = 0; batch < 20; batch++) {
      await withTransaction(pool, async (client) => {
        for (let i = 0; i < 25; i++) {
          const event = createdEvent(batch * 25 + i);
          ids.push(event.id);
          await outbox.add(client, event);
        }
      });
      publisher.relay.kick();
      if (batch === 6 || batch === 13) publisher.connection.simulateConnectionLoss();
    }
    await waitUntil(async () => {
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL');
      return rows[0].n === 0;
    });
    await waitUntil(() => new Set(received).size === ids.length);
    // Nothing lost: every outbox row reached the exchange; every row marked sent was in fact received.
    expect(new Set(received)).toEqual(new Set(ids));
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM outbox WHERE sent_at IS NOT NULL');
    expect(rows.length).toBe(ids.length);
    await publisher.stop();
    await listener.stop();
  });

  it('when the same event is delivered twice, then the handler runs once', async () => {
    const consumer = adapter('dedupe');
    let runs = 0;
    const queue = consumer.consume('order.order.created', async (event, client) => {
      runs += 1;
      await client.query('INSERT INTO effects (order_id) VALUES ($1)', [event.payload.order_id]);
    });
    await consumer.start({ relay: false });
    const event = createdEvent(424242);
    const connection = await amqp.connect(amqpUrl);
    const channel = await connection.createConfirmChannel();
    for (let i = 0; i < 3; i++) {
      channel.sendToQueue(queue, Buffer.from(JSON.stringify(event)), { persistent: true, messageId: event.id });
    }
    await channel.waitForConfirms();
    await connection.close();
    await waitUntil(async () => (await queueDepth(amqpUrl, queue)) === 0);
    await waitUntil(async () => {
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM processed_events WHERE event_id = $1', [
        event.id,
      ]);
      return rows[0].n === 1;
    });
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM effects WHERE order_id = 424242');
    expect(rows[0].n).toBe(1);
    expect(runs).toBe(1);
    await consumer.stop();
  });

  it('when a handler always fails, then the message reaches the DLQ after its retries, can be read, and redrive brings it back', async () => {
    const consumer = adapter('poison', [50, 100]);
    let attempts = 0;
    let healed = false;
    consumer.consume('order.order.created', async (event, client) => {
      attempts += 1;
      if (!healed) throw new Error('simulated bug in the handler');
      await client.query('INSERT INTO effects (order_id) VALUES ($1)', [event.payload.order_id]);
    });
    await consumer.start();
    const event = createdEvent(777);
    await withTransaction(pool, (client) => outbox.add(client, event));
    consumer.relay.kick();

    await waitUntil(async () => (await queueDepth(amqpUrl, consumer.dlq)) === 1);
    expect(attempts).toBe(3); // the first delivery and two retries
    const [letter] = await peekDeadLetters(amqpUrl, consumer.dlq);
    expect(letter.event_id).toBe(event.id);
    expect(letter.error).toContain('simulated bug');
    expect(letter.queue).toBe(`${prefix}.poison.order.order.created`);
    expect(await queueDepth(amqpUrl, consumer.dlq)).toBe(1); // peeking leaves it there

    healed = true;
    expect(await redrive(amqpUrl, consumer.dlq)).toBe(1);
    await waitUntil(async () => {
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM effects WHERE order_id = 777');
      return rows[0].n === 1;
    });
    expect(await queueDepth(amqpUrl, consumer.dlq)).toBe(0);
    await consumer.stop();
  });

  it('when the body is not an event envelope, then it goes straight to the DLQ', async () => {
    const consumer = adapter('garbage');
    let runs = 0;
    const queue = consumer.consume('order.order.created', async () => {
      runs += 1;
    });
    await consumer.start({ relay: false });
    const connection = await amqp.connect(amqpUrl);
    const channel = await connection.createConfirmChannel();
    channel.sendToQueue(queue, Buffer.from('{not json'), { persistent: true });
    await channel.waitForConfirms();
    await connection.close();
    await waitUntil(async () => (await queueDepth(amqpUrl, consumer.dlq)) === 1);
    expect(runs).toBe(0);
    await consumer.stop();
  });

  it('when a queue of the old names is left from an earlier lab, then it is deleted at start if empty, and kept if not', async () => {
    const connection = await amqp.connect(amqpUrl);
    const channel = await connection.createChannel();
    const quorum = { durable: true, arguments: { 'x-queue-type': 'quorum' } };
    const empty = `${prefix}.product-service.order-created`;
    const holding = `${prefix}.product-service.order-cancelled`;
    await channel.assertQueue(empty, quorum);
    await channel.assertQueue(`${empty}.retry.1`, quorum);
    await channel.assertQueue(holding, quorum);
    channel.sendToQueue(holding, Buffer.from('{}'));
    await waitUntil(async () => (await queueDepth(amqpUrl, holding)) === 1);

    const products = adapter('product-service');
    products.consume('order.order.created', async () => {});
    await products.start({ relay: false });

    const exists = async (queue: string) => {
      const probe = await connection.createChannel();
      probe.on('error', () => {});
      const found = await probe.checkQueue(queue).then(
        () => true,
        () => false,
      );
      await probe.close().catch(() => {});
      return found;
    };
    expect(await exists(empty)).toBe(false);
    expect(await exists(`${empty}.retry.1`)).toBe(false);
    expect(await exists(holding)).toBe(true);
    expect(await exists(`${prefix}.product-service.order.order.created`)).toBe(true);
    await channel.deleteQueue(holding);
    await connection.close();
  });
});
