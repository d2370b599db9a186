import { CONSUMED_ROUTING_KEYS } from '@checkout-lab/shared';
import amqp from 'amqplib';
import type { QueueState } from '../../shared/types';

/**
 * Each service's consumers, by the routing key it passes to `messaging.consume(routingKey, ...)`: the messaging
 * adapter's own list. test/rabbit-queues.unit.test.ts checks the names against the adapter's, and
 * test/dashboard.e2e.test.ts checks that every one of them exists with a consumer on a started stack.
 */
export const CONSUMERS = CONSUMED_ROUTING_KEYS;

/** How many parking queues each consumer queue has (`<queue>.retry.1` ...): the adapter's DEFAULT_RETRY_DELAYS_MS. */
export const RETRY_ATTEMPTS = 3;

/** As microservices/shared/src/config.ts `normalizePrefix`: a prefix that is set ends with exactly one dot. */
export function normalizePrefix(prefix: string): string {
  if (!prefix) return '';
  return prefix.endsWith('.') ? prefix : `${prefix}.`;
}

export interface QueueName {
  service: string;
  /** The purpose for a consumer queue, `dlq` for the service's dead-letter queue. */
  purpose: string;
  name: string;
  dead_letter: boolean;
  /** The queue's retry parking queues, whose depth is shown as "retrying". */
  retry_queues: string[];
}

/**
 * The names microservices/shared/src/messaging/topology.ts declares: `<prefix><service>.<purpose>` per consumer,
 * `<queue>.retry.<n>` per attempt and `<prefix><service>.dlq` per service, `<prefix>` being RABBIT_PREFIX with its dot.
 */
export function queueNames(rabbitPrefix: string): QueueName[] {
  const prefix = normalizePrefix(rabbitPrefix);
  const names: QueueName[] = [];
  for (const [service, purposes] of Object.entries(CONSUMERS)) {
    for (const purpose of purposes) {
      const name = `${prefix}${service}.${purpose}`;
      const retry_queues = Array.from({ length: RETRY_ATTEMPTS }, (_, i) => `${name}.retry.${i + 1}`);
      names.push({ service, purpose, name, dead_letter: false, retry_queues });
    }
    names.push({ service, purpose: 'dlq', name: `${prefix}${service}.dlq`, dead_letter: true, retry_queues: [] });
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
    private readonly names: () => QueueName[],
  ) {}

  async sample(): Promise<QueueState[]> {
    const connection = await this.connect();
    let channel = await this.openChannel(connection);
    const check = async (name: string) => {
      try {
        return await channel.checkQueue(name);
      } catch {
        channel = await this.openChannel(connection);
        return null;
      }
    };
    const states: QueueState[] = [];
    for (const queue of this.names()) {
      const info = await check(queue.name);
      let retrying = 0;
      if (info) {
        for (const retry of queue.retry_queues) retrying += (await check(retry))?.messageCount ?? 0;
      }
      states.push({
        service: queue.service,
        purpose: queue.purpose,
        name: queue.name,
        dead_letter: queue.dead_letter,
        exists: info !== null,
        messages: info?.messageCount ?? 0,
        consumers: info?.consumerCount ?? 0,
        retrying,
      });
    }
    await channel.close().catch(() => {});
    return states;
  }

  private async openChannel(connection: amqp.ChannelModel): Promise<amqp.Channel> {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    return channel;
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
