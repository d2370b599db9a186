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

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.closing) return;
    const delay = Math.min(5000, 200 * 2 ** this.attempt);
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
