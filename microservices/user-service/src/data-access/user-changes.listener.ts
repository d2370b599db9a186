import type { Logger } from '@checkout-lab/kit';
import type { UserChange } from '@checkout-lab/shared';
import pg from 'pg';

export interface UserChangeSubscriber {
  change(change: UserChange): void;
  /** The database connection that hears the changes is gone: what this subscriber knows may be stale from now on. */
  lost(): void;
}

// PERF: the gateway's user cache rests on this (microservices/api-gateway/src/data-access/user-changes.feed.ts).
/**
 * LISTENs on users_changed, the channel the users table's triggers notify at commit (db.ts, 002), on a connection of
 * its own (a pooled one would be handed to a query and stop listening), and passes each change to its subscribers.
 * When that connection dies every subscriber is told it lost the feed, and it connects again after a pause, so a
 * subscriber never mistakes a silent feed for "nothing changed".
 */
export class UserChangesListener {
  private client: pg.Client | null = null;
  private readonly subscribers = new Set<UserChangeSubscriber>();
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  private listening = false;

  constructor(
    private readonly connectionString: string,
    private readonly log: Logger,
  ) {}

  /** Resolves once the connection listens; a first connection that fails is retried in the background. */
  async start(): Promise<void> {
    await this.connect().catch(() => this.scheduleRetry());
  }

  /** True while a change committed now would reach the subscribers. */
  get live(): boolean {
    return this.listening;
  }

  subscribe(subscriber: UserChangeSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.drop();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'user-changes' });
    client.on('error', (error) => {
      this.log.warn({ err: error }, 'user-service lost its users_changed listener: the gateway stops caching users');
      if (this.client === client) this.drop();
      this.scheduleRetry();
    });
    client.on('notification', (message) => {
      if (message.channel !== 'users_changed') return;
      const change: UserChange = message.payload === '*' ? { all: true } : { id: Number(message.payload) };
      for (const subscriber of this.subscribers) subscriber.change(change);
    });
    try {
      await client.connect();
      await client.query('LISTEN users_changed');
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.listening = true;
  }

  private drop(): void {
    const client = this.client;
    this.client = null;
    this.listening = false;
    for (const subscriber of [...this.subscribers]) subscriber.lost();
    this.subscribers.clear();
    client?.end().catch(() => {});
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect().catch(() => this.scheduleRetry());
    }, 1000);
  }
}
