import type { Logger } from '@checkout-lab/kit';
import type { ConfirmChannel } from 'amqplib';
import type pg from 'pg';
import type { Migration } from '../db';
import type { LabEvent } from '../events/contracts';
import type { ResilientConnection } from './connection';

/** The tables every service with the messaging adapter needs: run them with the service's own migrations. */
export const messagingMigrations: Migration[] = [
  {
    id: '000_messaging_outbox',
    sql: `CREATE TABLE IF NOT EXISTS outbox (
            id uuid PRIMARY KEY,
            type text NOT NULL,
            payload jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            sent_at timestamptz,
            attempts integer NOT NULL DEFAULT 0
          );
          CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (created_at) WHERE sent_at IS NULL;`,
  },
  {
    id: '000_messaging_processed_events',
    sql: `CREATE TABLE IF NOT EXISTS processed_events (
            event_id uuid NOT NULL,
            consumer text NOT NULL,
            processed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (event_id, consumer)
          );`,
  },
];

// LESSON: The outbox (LESSONS.md#the-outbox)
/**
 * The event is a row written by the same transaction as the
 * business change, so both commit or neither does. Publishing right after COMMIT instead would lose the event whenever
 * the process dies between the two; publishing before COMMIT would announce a change that may roll back.
 */
/** Marks a connection whose open transaction wrote outbox rows, so the consumer kicks the relay only then. */
const WROTE_EVENTS = Symbol('wroteOutboxRows');
/** Marks a connection whose transaction runs with the outbox switched off: outbox.add keeps its events here. */
const HELD_EVENTS = Symbol('heldForAfterCommit');
type MarkedClient = pg.PoolClient & { [WROTE_EVENTS]?: boolean; [HELD_EVENTS]?: LabEvent[] };

export const outbox = {
  async add(client: pg.PoolClient, event: LabEvent): Promise<void> {
    const held = (client as MarkedClient)[HELD_EVENTS];
    if (held) {
      // The outbox is switched off: no row; the event waits in memory for publishAfterCommit (below).
      held.push(event);
      return;
    }
    (client as MarkedClient)[WROTE_EVENTS] = true;
    await client.query({
      name: 'outbox-add',
      text: 'INSERT INTO outbox (id, type, payload) VALUES ($1, $2, $3)',
      values: [event.id, event.type, JSON.stringify(event)],
    });
  },
};

/** Whether the transaction on this connection wrote outbox rows (and forget it, for the connection's next user). */
export function takeOutboxMark(client: pg.PoolClient): boolean {
  const marked = (client as MarkedClient)[WROTE_EVENTS] === true;
  (client as MarkedClient)[WROTE_EVENTS] = false;
  return marked;
}

// LESSON: Switch off the outbox (LESSONS.md#switch-off-the-outbox)
/**
 * The naive variant, run while the outbox is switched off
 * (PUT /api/lab/patterns `{outbox: false}`). `write` runs in the open transaction as always, but each outbox.add in it
 * keeps its event in memory instead of writing a row; once COMMIT has returned, the caller sends them with
 * OutboxRelay.publishAfterCommit. Nothing durable remembers them: when that publish fails (the broker unreachable,
 * the channel closed) or the process dies between the COMMIT and the publish, the change is committed and its event
 * is gone for good, and whoever waits for it (the saga) waits for ever.
 */
export async function holdEventsForAfterCommit<T>(
  client: pg.PoolClient,
  write: () => Promise<T>,
): Promise<{ result: T; events: LabEvent[] }> {
  const events: LabEvent[] = [];
  (client as MarkedClient)[HELD_EVENTS] = events;
  try {
    return { result: await write(), events };
  } finally {
    delete (client as MarkedClient)[HELD_EVENTS];
  }
}

interface OutboxRow {
  id: string;
  type: string;
  payload: LabEvent;
}

/**
 * Polls unsent outbox rows and publishes them with publisher confirms. A row is marked sent only after the broker's
 * ack for that very message; a nack, a timeout or a lost connection leaves it unsent for the next pass. The result is
 * at-least-once delivery (a row can be published twice if we die between the ack and the UPDATE), which is why every
 * consumer is idempotent. FOR UPDATE SKIP LOCKED lets two relays of one service (a restart overlapping the old
 * process) share the table without publishing the same row at the same time.
 */
export class OutboxRelay {
  private channel: ConfirmChannel | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private again = false;
  private beforePublishHook: ((events: LabEvent[]) => void) | null = null;

  constructor(
    private readonly options: {
      pool: pg.Pool;
      connection: ResilientConnection;
      exchange: string;
      log: Logger;
      pollMs?: number;
      batchSize?: number;
      confirmTimeoutMs?: number;
    },
  ) {}

  start(): void {
    this.stopped = false;
    this.options.connection.onConnected(async (connection) => {
      this.channel = await this.options.connection.confirmChannel(connection);
      this.kick();
    });
    this.schedule();
  }

  /**
   * Runs with each batch's events after they are read and before any is published: the fault lab's crash point
   * after_commit_before_publish (order-service), where the events are committed in the outbox and not yet sent.
   */
  beforePublish(hook: (events: LabEvent[]) => void): void {
    this.beforePublishHook = hook;
  }

  /** Publish now rather than at the next poll (called after a commit that wrote outbox rows). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.kick();
      this.schedule();
    }, this.options.pollMs ?? 200);
  }

  private async drain(): Promise<void> {
    try {
      // Keep going while full batches come back: a burst is sent without waiting for the next poll.
      while (!this.stopped && (await this.publishBatch()) === (this.options.batchSize ?? 100));
    } catch (error) {
      this.options.log.warn({ err: (error as Error).message }, 'outbox relay pass failed; will retry');
    }
  }

  /** One pass: returns how many rows it found. */
  async publishBatch(): Promise<number> {
    const channel = this.channel;
    if (!channel || !this.options.connection.connected) return 0;
    const client = await this.options.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<OutboxRow>({
        name: 'outbox-unsent',
        text: `SELECT id, type, payload FROM outbox WHERE sent_at IS NULL
               ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        values: [this.options.batchSize ?? 100],
      });
      if (rows.length === 0) {
        await client.query('COMMIT');
        return 0;
      }
      this.beforePublishHook?.(rows.map((row) => row.payload));
      const outcomes = await Promise.all(rows.map((row) => this.publish(channel, row)));
      const acked = rows.filter((_, index) => outcomes[index]).map((row) => row.id);
      const failed = rows.filter((_, index) => !outcomes[index]).map((row) => row.id);
      if (acked.length) {
        await client.query({
          name: 'outbox-sent',
          text: 'UPDATE outbox SET sent_at = now() WHERE id = ANY($1)',
          values: [acked],
        });
      }
      if (failed.length) await client.query('UPDATE outbox SET attempts = attempts + 1 WHERE id = ANY($1)', [failed]);
      await client.query('COMMIT');
      if (failed.length) this.options.log.warn({ failed: failed.length }, 'broker did not confirm some events');
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * The outbox switched off (holdEventsForAfterCommit): sends events already committed without an outbox row, once,
   * straight to the broker. One the broker does not confirm is lost: logged, and never tried again, for there is no
   * row to try it from.
   */
  async publishAfterCommit(events: LabEvent[]): Promise<void> {
    if (events.length === 0) return;
    // The same crash point as the relay's (after_commit_before_publish): here nothing is left to publish after it.
    this.beforePublishHook?.(events);
    for (const event of events) {
      const channel = this.options.connection.connected ? this.channel : null;
      const sent = channel ? await this.publish(channel, { id: event.id, type: event.type, payload: event }) : false;
      if (!sent) {
        this.options.log.error(
          { event_id: event.id, type: event.type, correlation_id: event.correlation_id },
          'outbox off: the publish after COMMIT failed; the event is lost',
        );
      }
    }
  }

  /** Resolves true only on the broker's ack of this message. */
  private publish(channel: ConfirmChannel, row: OutboxRow): Promise<boolean> {
    const event = row.payload;
    return new Promise((resolve) => {
      const timeout = setTimeout(() => resolve(false), this.options.confirmTimeoutMs ?? 5000);
      try {
        channel.publish(
          this.options.exchange,
          event.type,
          Buffer.from(JSON.stringify(event)),
          {
            persistent: true,
            contentType: 'application/json',
            messageId: event.id,
            type: event.type,
            correlationId: event.correlation_id,
            timestamp: Math.floor(Date.now() / 1000),
          },
          (error) => {
            clearTimeout(timeout);
            resolve(!error);
          },
        );
      } catch {
        // publish throws synchronously when the channel is already closed.
        clearTimeout(timeout);
        resolve(false);
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
