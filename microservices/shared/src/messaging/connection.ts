import { assertRabbitReachable, type Logger } from '@checkout-lab/kit';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';

type OnConnected = (connection: ChannelModel) => Promise<void>;

/**
 * One AMQP connection that comes back by itself. When the broker goes away (restart, network), the adapter retries
 * with backoff and, once connected again, runs every registered onConnected hook: they re-declare the topology,
 * resume the consumers and reopen the relay's channel. Nothing outside this folder sees amqplib.
 */
export class ResilientConnection {
  private connection: ChannelModel | null = null;
  private hooks: OnConnected[] = [];
  private closing = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private generation = 0;
  private held = false;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  get connected(): boolean {
    return this.connection !== null;
  }

  /** Incremented at each new connection: a delivery from an older one can no longer be acked. */
  get currentGeneration(): number {
    return this.generation;
  }

  get current(): ChannelModel | null {
    return this.connection;
  }

  /** The fault lab's broker_down is on: the connection is closed and no reconnect is tried until it is cleared. */
  get heldDown(): boolean {
    return this.held;
  }

  // LESSON: The broker goes away (LESSONS.md#the-broker-goes-away)
  /**
   * The fault lab's broker_down. On, the service really loses the broker: its
   * AMQP connection is closed (the broker hands its unacked deliveries to no one until it is back, the consumers stop,
   * the outbox relay finds no channel and keeps the events in the outbox) and the reconnect loop waits. Off, it
   * reconnects at once, and the onConnected hooks resume the consumers and the relay. The shared broker never stops.
   */
  async holdDown(down: boolean): Promise<void> {
    this.held = down;
    if (!down) {
      this.attempt = 0;
      if (!this.connection) this.scheduleReconnect(0);
      return;
    }
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const connection = this.connection;
    this.connection = null;
    if (connection) this.log.warn('fault broker_down: closing the broker connection until it is cleared');
    await connection?.close().catch(() => {});
  }

  onConnected(hook: OnConnected): void {
    this.hooks.push(hook);
    if (this.connection) void this.runHook(hook, this.connection);
  }

  /** The first connect fails fast with a one-line reason; later losses are retried for ever. */
  async start(): Promise<void> {
    await assertRabbitReachable(this.url);
    await this.connect();
  }

  private async connect(): Promise<void> {
    // noDelay: a publish is several small frames; with Nagle's algorithm on, each event would wait for a delayed ACK.
    const connection = await amqp.connect(this.url, {
      clientProperties: { connection_name: 'checkout-lab' },
      noDelay: true,
    });
    if (this.held || this.closing) {
      // broker_down was switched on (or the service began to stop) while this connect was under way.
      await connection.close().catch(() => {});
      return;
    }
    this.generation += 1;
    this.attempt = 0;
    connection.on('error', (error) => this.log.warn({ err: error.message }, 'broker connection error'));
    connection.on('close', () => {
      if (this.connection !== connection) return;
      this.connection = null;
      if (!this.closing) {
        this.log.warn('broker connection lost; reconnecting');
        this.scheduleReconnect();
      }
    });
    this.connection = connection;
    for (const hook of this.hooks) await this.runHook(hook, connection);
    this.log.info({ generation: this.generation }, 'connected to the broker');
  }

  private async runHook(hook: OnConnected, connection: ChannelModel): Promise<void> {
    try {
      await hook(connection);
    } catch (error) {
      // A hook that fails (a channel closed while declaring) means this connection is not usable: start over.
      this.log.warn({ err: (error as Error).message }, 'broker setup failed; reconnecting');
      await connection.close().catch(() => {});
    }
  }

  private scheduleReconnect(delay = Math.min(5000, 200 * 2 ** this.attempt)): void {
    if (this.reconnectTimer || this.closing || this.held) return;
    this.attempt += 1;
    this.reconnectTimer = setTimeout(async () => {
      this.reconnectTimer = null;
      try {
        await this.connect();
      } catch (error) {
        this.log.warn({ err: (error as Error).message, attempt: this.attempt }, 'broker still unreachable');
        this.scheduleReconnect();
      }
    }, delay);
  }

  /** Opens a confirm channel; a channel closed by the broker (not by us) drops the connection to rebuild everything. */
  async confirmChannel(connection: ChannelModel): Promise<ConfirmChannel> {
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error) => this.log.warn({ err: error.message }, 'channel error'));
    channel.on('close', () => {
      if (!this.closing && this.connection === connection) void connection.close().catch(() => {});
    });
    return channel;
  }

  /** Cuts the TCP socket as a network failure would (tests of the reconnect and the outbox). */
  simulateConnectionLoss(): void {
    const inner = this.connection as unknown as { connection?: { stream?: { destroy(error?: Error): void } } } | null;
    inner?.connection?.stream?.destroy(new Error('simulated network failure'));
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const connection = this.connection;
    this.connection = null;
    await connection?.close().catch(() => {});
  }
}
