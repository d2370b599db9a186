import { setTimeout as sleep } from 'node:timers/promises';
import { type Logger, ownPatterns } from '@checkout-lab/kit';
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type pg from 'pg';
import { withTransaction } from '../db';
import type { EventType, LabEvent } from '../events/contracts';
import { ResilientConnection } from './connection';
import { parseEnvelope } from './events';
import { holdEventsForAfterCommit, OutboxRelay, takeOutboxMark } from './outbox';
import { DEFAULT_RETRY_DELAYS_MS, HEADERS, names, RETIRED_QUEUES } from './topology';

export type Handler<T extends EventType, P = undefined> = (
  event: LabEvent<T>,
  client: pg.PoolClient,
  prepared: P,
) => Promise<void>;

export interface ConsumeOptions<T extends EventType, P> {
  /**
   * Slow work done before the transaction opens (a payment gateway call, an SMTP send), so a database connection is
   * not held while waiting. Skipped when the event was already processed.
   */
  prepare?: (event: LabEvent<T>) => Promise<P>;
  /**
   * The naive variant of handler and prepare, run instead of them while idempotent consumers are switched off: they
   * do not look for an earlier delivery either. Without it, the same handler and prepare run, minus the dedupe.
   */
  withoutDedup?: { handler: Handler<T, P>; prepare?: (event: LabEvent<T>) => Promise<P> };
  /**
   * Runs once the handler's effect has committed, before the message is acked (and before the relay is woken): the
   * fault lab's crash point after_effect_before_ack. Not run for a duplicate, which has no effect of its own.
   */
  beforeAck?: (event: LabEvent<T>) => void;
}

interface Subscription {
  queue: string;
  routingKey: string;
  // biome-ignore lint/suspicious/noExplicitAny: each subscription keeps its own event type; checked at consume().
  handler: Handler<any, any>;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  prepare?: (event: any) => Promise<unknown>;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  withoutDedup?: { handler: Handler<any, any>; prepare?: (event: any) => Promise<unknown> };
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  beforeAck?: (event: any) => void;
}

/**
 * The fault lab's faults of this service's calls and deliveries (docs/api.md, "Faults"), held by its adapter and set
 * through /internal/lab/delivery: hop_delay_ms is added to every event delivery and every call to another service;
 * redelivery_rate is the share of consumed messages delivered a second time, as after a lost ack.
 */
export interface DeliveryFaults {
  hop_delay_ms: number;
  redelivery_rate: number;
}

/** What the redelivery_rate fault did, and what the dedupe absorbed, since the start (GET /internal/lab/deliveries). */
export interface DeliveryCounts {
  /** Messages this adapter delivered a second time because of redelivery_rate. */
  redelivered: number;
  /** Deliveries of an event already processed, acked without doing anything. */
  duplicates_skipped: number;
}

/** Marks the second delivery redelivery_rate made, so that it is not delivered a third time. */
const LAB_REDELIVERY_HEADER = 'x-lab-redelivery';

export interface MessagingOptions {
  amqpUrl: string;
  rabbitPrefix: string;
  /** The service name: the first part of its queue names and of its DLQ. */
  service: string;
  pool: pg.Pool;
  log: Logger;
  /** Backoff of each retry; its length is the number of retries before the DLQ. */
  retryDelaysMs?: number[];
  /** Deliveries handled at the same time per queue. */
  prefetch?: number;
  outboxPollMs?: number;
}

/**
 * The service's one door to RabbitMQ: topology, idempotent consumers with retries and a DLQ, and the outbox relay.
 * Register consumers, then start(); stop() stops consuming, waits for work in flight, and closes.
 */
export class Messaging {
  readonly connection: ResilientConnection;
  readonly names: ReturnType<typeof names>;
  readonly relay: OutboxRelay;
  /**
   * The reliability patterns this service runs (docs/api.md, "Reliability patterns as switches"), in memory and on at
   * start; the gateway switches them through /internal/lab/patterns. Read at every delivery and every commit.
   */
  readonly patterns = ownPatterns();
  private subscriptions: Subscription[] = [];
  private consumerChannel: ConfirmChannel | null = null;
  private consumerTags: string[] = [];
  private inFlight = new Set<Promise<void>>();
  private stopping = false;
  private readonly retryDelays: number[];
  /** Off at start; a restart turns them off again. */
  readonly faults: DeliveryFaults = { hop_delay_ms: 0, redelivery_rate: 0 };
  readonly counts: DeliveryCounts = { redelivered: 0, duplicates_skipped: 0 };

  constructor(private readonly options: MessagingOptions) {
    this.connection = new ResilientConnection(options.amqpUrl, options.log);
    this.names = names(options.rabbitPrefix);
    this.retryDelays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.relay = new OutboxRelay({
      pool: options.pool,
      connection: this.connection,
      exchange: this.names.exchange,
      log: options.log,
      pollMs: options.outboxPollMs,
    });
  }

  get dlq(): string {
    return this.names.dlq(this.options.service);
  }

  /**
   * Subscribes a handler to one event through the durable queue <prefix><service>.<routing key>, bound to that
   * routing key: one queue per event a service reacts to, so a poison message of one kind never blocks the others,
   * and each has its own retries. The handler runs inside a transaction the adapter opened after recording the event
   * id; the message is acked only after COMMIT. Returns the queue's name.
   */
  consume<T extends EventType, P = undefined>(
    routingKey: T,
    handler: Handler<T, P>,
    options: ConsumeOptions<T, P> = {},
  ): string {
    const queue = this.names.queue(this.options.service, routingKey);
    this.subscriptions.push({
      queue,
      routingKey,
      handler,
      prepare: options.prepare,
      beforeAck: options.beforeAck,
      withoutDedup: options.withoutDedup,
    });
    return queue;
  }

  /** Connects (a one-line error when the broker is unreachable), declares, consumes, and starts the relay. */
  async start(options: { relay?: boolean } = {}): Promise<void> {
    this.connection.onConnected(async (connection) => {
      const channel = await this.connection.confirmChannel(connection);
      await this.declareTopology(channel);
      await this.retireOldQueues(connection);
      await channel.prefetch(this.options.prefetch ?? 32);
      this.consumerChannel = channel;
      this.consumerTags = [];
      if (this.stopping) return;
      for (const subscription of this.subscriptions) {
        const { consumerTag } = await channel.consume(subscription.queue, (message) => {
          if (message) this.track(this.deliver(channel, subscription, message));
        });
        this.consumerTags.push(consumerTag);
      }
    });
    await this.connection.start();
    if (options.relay !== false) this.relay.start();
  }

  /** Declares the exchange and, per subscription, its queue, retry queues and the service's DLQ. Idempotent. */
  async declareTopology(channel: ConfirmChannel): Promise<void> {
    await channel.assertExchange(this.names.exchange, 'topic', { durable: true });
    await channel.assertQueue(this.dlq, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    for (const subscription of this.subscriptions) {
      await channel.assertQueue(subscription.queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      await channel.bindQueue(subscription.queue, this.names.exchange, subscription.routingKey);
      // LESSON: Dead letters and redrive (LESSONS.md#dead-letters-and-redrive). One parking queue per attempt, each
      // with a fixed TTL, dead-letters back to the work queue: backoff survives a crash because it lives in the broker.
      for (const [index, delay] of this.retryDelays.entries()) {
        await channel.assertQueue(this.names.retryQueue(subscription.queue, index + 1), {
          durable: true,
          arguments: {
            'x-message-ttl': delay,
            'x-dead-letter-exchange': '',
            'x-dead-letter-routing-key': subscription.queue,
          },
        });
      }
    }
  }

  /**
   * Deletes this service's RETIRED_QUEUES and their retry queues when they are empty; one that still holds messages
   * (events from before the rename, never read) stays, with a warning, for someone to look at. Runs after the new
   * queues are bound, so an event that arrives meanwhile has its copy in the new queue.
   */
  private async retireOldQueues(connection: ChannelModel): Promise<void> {
    for (const purpose of RETIRED_QUEUES[this.options.service] ?? []) {
      const queue = this.names.queue(this.options.service, purpose);
      const retries = this.retryDelays.map((_delay, index) => this.names.retryQueue(queue, index + 1));
      for (const name of [...retries, queue]) {
        // Asking about a queue that does not exist closes the channel it was asked on: each gets a channel of its own.
        // Quorum queues refuse a delete "if empty" (the broker closes the whole connection for it): hence the count.
        const channel = await connection.createChannel();
        channel.on('error', () => {});
        const found = await channel.checkQueue(name).catch(() => null);
        if (found?.messageCount === 0) await channel.deleteQueue(name);
        else if (found)
          this.options.log.warn({ queue: name, messages: found.messageCount }, 'old queue not empty; kept');
        await channel.close().catch(() => {});
      }
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  // LESSON: Idempotent consumers (LESSONS.md#idempotent-consumers)
  /**
   * The event id goes into
   * processed_events in the same transaction as the handler's effect; a redelivery (the ack was lost, the relay
   * published twice) finds the id there and is acked without doing anything.
   */
  private async deliver(channel: ConfirmChannel, subscription: Subscription, message: ConsumeMessage): Promise<void> {
    const log = this.options.log;
    const event = parseEnvelope(message.content);
    if (!event) {
      log.error({ queue: subscription.queue }, 'message is not a valid event envelope; dead-lettering it');
      await this.settle(channel, message, () =>
        this.patterns.values.dead_letters
          ? this.deadLetter(channel, subscription, message, 'invalid envelope')
          : this.redeliverForever(channel, subscription, message, 'invalid envelope'),
      );
      return;
    }
    const context = { event_id: event.id, type: event.type, correlation_id: event.correlation_id };
    try {
      // hop_delay_ms: the event arrives that much later, as over a slow network, before anything else happens.
      if (this.faults.hop_delay_ms > 0) await sleep(this.faults.hop_delay_ms);
      if (!this.patterns.values.idempotent_consumers) {
        await this.consumeWithoutDedup(channel, subscription, message, event);
        return;
      }
      // A handler with a step before its transaction (a delay, an SMTP send) checks for a duplicate first, so a
      // redelivery does not repeat that step; for the others the INSERT below is the check.
      if (subscription.prepare) {
        const already = await this.options.pool.query({
          name: 'processed-event-seen',
          text: 'SELECT 1 FROM processed_events WHERE event_id = $1 AND consumer = $2',
          values: [event.id, subscription.queue],
        });
        if (already.rowCount) {
          log.info(context, 'duplicate event skipped');
          this.counts.duplicates_skipped += 1;
          this.ack(channel, message);
          return;
        }
      }
      const prepared = subscription.prepare ? await subscription.prepare(event) : undefined;
      const client = await this.options.pool.connect();
      let fresh = false;
      let wroteEvents = false;
      let held: LabEvent[] = [];
      takeOutboxMark(client);
      try {
        await client.query('BEGIN');
        const inserted = await client.query({
          name: 'processed-event-insert',
          text: 'INSERT INTO processed_events (event_id, consumer) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          values: [event.id, subscription.queue],
        });
        fresh = inserted.rowCount === 1;
        if (fresh) held = await this.handle(subscription.handler, event, client, prepared);
        await client.query('COMMIT');
        wroteEvents = takeOutboxMark(client);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
      await this.relay.publishAfterCommit(held);
      if (fresh) {
        log.info(context, 'event processed');
        subscription.beforeAck?.(event);
        // Publish what this transaction wrote now rather than at the next poll; nothing written, no pass.
        if (wroteEvents) this.relay.kick();
      } else {
        log.info(context, 'duplicate event skipped');
        this.counts.duplicates_skipped += 1;
      }
      this.ack(channel, message);
      await this.maybeRedeliver(channel, subscription, message);
    } catch (error) {
      const reason = (error as Error).message ?? String(error);
      if (this.stopping) {
        // Cut short by the stop (a send abandoned, a delay aborted): not a failure of the message, so it spends no
        // retry. It stays unacked, and the broker hands it out again when this connection closes.
        log.warn({ ...context, reason }, 'delivery interrupted by the stop; the broker will redeliver it');
        return;
      }
      await this.settle(channel, message, () => this.retryOrDeadLetter(channel, subscription, message, reason));
    }
  }

  /**
   * Runs a handler in the open transaction. With the outbox on, its events are outbox rows of that transaction and
   * this returns nothing; switched off, it returns them, for publishAfterCommit once COMMIT has returned.
   */
  private async handle(
    // biome-ignore lint/suspicious/noExplicitAny: each subscription keeps its own event type; checked at consume().
    handler: Handler<any, any>,
    event: LabEvent,
    client: pg.PoolClient,
    prepared: unknown,
  ): Promise<LabEvent[]> {
    if (this.patterns.values.outbox) {
      await handler(event, client, prepared);
      return [];
    }
    return (await holdEventsForAfterCommit(client, () => handler(event, client, prepared))).events;
  }

  // LESSON: Switch off idempotent consumers (LESSONS.md#switch-off-idempotent-consumers)
  /**
   * The naive variant of deliver(), run while
   * idempotent consumers are switched off: no processed_events, so every delivery is handled as if it were the first.
   * The transaction, the ack after COMMIT and the retries are the same; what is missing is the memory of what was
   * done. A redelivery (a lost ack, a relay that published twice) repeats the effect: the service's own rows may still
   * be saved by a UNIQUE constraint, but a card charge or a sent mail outside the database happens again.
   */
  private async consumeWithoutDedup(
    channel: ConfirmChannel,
    subscription: Subscription,
    message: ConsumeMessage,
    event: LabEvent,
  ): Promise<void> {
    const { handler, prepare } = subscription.withoutDedup ?? subscription;
    const prepared = prepare ? await prepare(event) : undefined;
    const held = await withTransaction(this.options.pool, (client) => this.handle(handler, event, client, prepared));
    await this.relay.publishAfterCommit(held);
    this.options.log.info({ event_id: event.id, type: event.type }, 'event processed (no dedupe)');
    subscription.beforeAck?.(event);
    this.relay.kick();
    this.ack(channel, message);
    await this.maybeRedeliver(channel, subscription, message);
  }

  // LESSON: Idempotent consumers (LESSONS.md#idempotent-consumers). The fault lab's redelivery_rate: after the ack,
  // the same message (the same event id) goes back to the same queue, as when an ack is lost and the broker redelivers.
  private async maybeRedeliver(channel: ConfirmChannel, subscription: Subscription, message: ConsumeMessage) {
    const rate = this.faults.redelivery_rate;
    if (rate <= 0 || message.properties.headers?.[LAB_REDELIVERY_HEADER] || Math.random() >= rate) return;
    try {
      await this.sendTo(channel, subscription.queue, message, { [LAB_REDELIVERY_HEADER]: 1 });
      this.counts.redelivered += 1;
    } catch (error) {
      this.options.log.warn({ err: (error as Error).message }, 'could not redeliver for the redelivery_rate fault');
    }
  }

  /** Acks only on the channel that delivered: after a reconnect, the broker redelivers and the dedupe absorbs it. */
  private ack(channel: ConfirmChannel, message: ConsumeMessage): void {
    if (channel !== this.consumerChannel) return;
    try {
      channel.ack(message);
    } catch {
      // The channel closed under us; the message comes back after the reconnect.
    }
  }

  /** Republishes (confirmed) before acking the original, so a failure path never loses the message either. */
  private async settle(channel: ConfirmChannel, message: ConsumeMessage, republish: () => Promise<void>) {
    try {
      await republish();
      this.ack(channel, message);
    } catch (error) {
      this.options.log.warn({ err: (error as Error).message }, 'could not park the message; it will be redelivered');
      try {
        channel.nack(message, false, true);
      } catch {
        // channel gone: redelivered anyway
      }
    }
  }

  private async retryOrDeadLetter(
    channel: ConfirmChannel,
    subscription: Subscription,
    message: ConsumeMessage,
    reason: string,
  ): Promise<void> {
    const retries = Number(message.properties.headers?.[HEADERS.retryCount] ?? 0);
    if (retries >= this.retryDelays.length && !this.patterns.values.dead_letters) {
      await this.redeliverForever(channel, subscription, message, reason);
      return;
    }
    if (retries >= this.retryDelays.length) {
      this.options.log.error({ queue: subscription.queue, retries, reason }, 'retries exhausted; dead-lettering');
      await this.deadLetter(channel, subscription, message, reason);
      return;
    }
    this.options.log.warn({ queue: subscription.queue, retry: retries + 1, reason }, 'handler failed; will retry');
    await this.sendTo(channel, this.names.retryQueue(subscription.queue, retries + 1), message, {
      [HEADERS.retryCount]: retries + 1,
      [HEADERS.error]: reason.slice(0, 500),
    });
  }

  // LESSON: Switch off dead letters (LESSONS.md#switch-off-dead-letters)
  /**
   * The naive variant of the DLQ, run while dead letters
   * are switched off: a message that keeps failing is sent round again with no limit, its retry count growing past
   * the one where it would have been parked. Each round waits in the first retry queue (its TTL), so the loop costs
   * a delivery and a log line every half second or so rather than a CPU; nobody is told, and nothing lists it.
   * Switching dead letters back on ends it: its next failure is past the limit and it goes to the DLQ.
   */
  private async redeliverForever(
    channel: ConfirmChannel,
    subscription: Subscription,
    message: ConsumeMessage,
    reason: string,
  ): Promise<void> {
    const retries = Number(message.properties.headers?.[HEADERS.retryCount] ?? 0);
    this.options.log.warn(
      { queue: subscription.queue, message_id: message.properties.messageId, retry: retries + 1, reason },
      'handler failed; dead letters are off, so it goes round again (no limit)',
    );
    // Without retry queues (retryDelaysMs: []), the pause is here, and the message goes straight back to its queue.
    if (this.retryDelays.length === 0) await sleep(FOREVER_PAUSE_MS);
    const parking = this.retryDelays.length ? this.names.retryQueue(subscription.queue, 1) : subscription.queue;
    await this.sendTo(channel, parking, message, {
      [HEADERS.retryCount]: retries + 1,
      [HEADERS.error]: reason.slice(0, 500),
    });
  }

  private async deadLetter(
    channel: ConfirmChannel,
    subscription: Subscription,
    message: ConsumeMessage,
    reason: string,
  ): Promise<void> {
    await this.sendTo(channel, this.dlq, message, {
      [HEADERS.originalQueue]: subscription.queue,
      [HEADERS.error]: reason.slice(0, 500),
      [HEADERS.deadLetteredAt]: new Date().toISOString(),
    });
  }

  private sendTo(
    channel: ConfirmChannel,
    queue: string,
    message: ConsumeMessage,
    headers: Record<string, unknown>,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      channel.sendToQueue(
        queue,
        message.content,
        {
          ...message.properties,
          persistent: true,
          headers: { ...withoutDeathHistory(message.properties.headers), ...headers },
        },
        (error) => (error ? reject(error) : resolve()),
      );
    });
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  /** Stops taking new deliveries, waits for those in flight, stops the relay and closes the connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    const channel = this.consumerChannel;
    if (channel) {
      for (const tag of this.consumerTags) await channel.cancel(tag).catch(() => {});
    }
    await Promise.allSettled([...this.inFlight]);
    await this.relay.stop();
    await this.connection.close();
  }
}

/** With dead letters off and no retry queue to wait in, the pause before a failing message goes round again. */
const FOREVER_PAUSE_MS = 500;

/** x-death is the broker's own bookkeeping of TTL hops; it is not ours to copy onto a new message. */
function withoutDeathHistory(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const {
    'x-death': _death,
    'x-first-death-exchange': _a,
    'x-first-death-queue': _b,
    'x-first-death-reason': _c,
    ...rest
  } = headers ?? {};
  return rest;
}
