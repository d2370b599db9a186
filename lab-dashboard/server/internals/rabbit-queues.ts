import amqp from 'amqplib';
import type { QueueState } from '../../src/lib/types';

/**
 * Which service consumes which event, as the saga in microservices/shared/src/events/contracts.ts describes it. The
 * messaging adapter (microservices/shared/src/messaging/topology.ts) names a consumer's queue
 * `<prefix>.<service>.<purpose>`, the purpose being the event's last two words (`order-created`), and each service's
 * dead-letter queue `<prefix>.<service>.dlq`. Queues that do not exist are left out of the view.
 */
export const CONSUMERS: Record<string, string[]> = {
  'product-service': ['order.order.created', 'order.order.cancelled'],
  'cart-service': ['order.order.created'],
  'order-service': [
    'product.stock.reserved',
    'product.stock.rejected',
    'payment.payment.processed',
    'payment.payment.declined',
    'email.email.sent',
  ],
  'payment-service': ['order.payment.requested'],
  'email-service': ['order.order.paid'],
};

export function purposeOf(eventType: string): string {
  return eventType.split('.').slice(-2).join('-');
}

export function queueNames(rabbitPrefix: string): { name: string; dead_letter: boolean }[] {
  const prefix = rabbitPrefix && !rabbitPrefix.endsWith('.') ? `${rabbitPrefix}.` : rabbitPrefix;
  const names: { name: string; dead_letter: boolean }[] = [];
  for (const [service, events] of Object.entries(CONSUMERS)) {
    for (const event of events) names.push({ name: `${prefix}${service}.${purposeOf(event)}`, dead_letter: false });
    names.push({ name: `${prefix}${service}.dlq`, dead_letter: true });
  }
  return names;
}

/**
 * Reads queue depths and consumer counts with checkQueue (the broker has no management plugin here). A queue that
 * does not exist closes the channel, so each miss gets a fresh channel; the connection is kept between samples.
 */
export class RabbitQueues {
  private connection: amqp.ChannelModel | null = null;

  constructor(
    private readonly amqpUrl: string,
    private readonly names: () => { name: string; dead_letter: boolean }[],
  ) {}

  async sample(): Promise<QueueState[]> {
    const connection = await this.connect();
    const states: QueueState[] = [];
    let channel = await connection.createChannel();
    channel.on('error', () => {});
    for (const queue of this.names()) {
      try {
        const info = await channel.checkQueue(queue.name);
        states.push({ ...queue, exists: true, messages: info.messageCount, consumers: info.consumerCount });
      } catch {
        states.push({ ...queue, exists: false, messages: 0, consumers: 0 });
        channel = await connection.createChannel();
        channel.on('error', () => {});
      }
    }
    await channel.close().catch(() => {});
    return states;
  }

  private async connect(): Promise<amqp.ChannelModel> {
    if (this.connection) return this.connection;
    const connection = await amqp.connect(this.amqpUrl, { timeout: 2000 });
    connection.on('error', () => {});
    connection.on('close', () => {
      if (this.connection === connection) this.connection = null;
    });
    this.connection = connection;
    return connection;
  }

  async close(): Promise<void> {
    await this.connection?.close().catch(() => {});
    this.connection = null;
  }
}
