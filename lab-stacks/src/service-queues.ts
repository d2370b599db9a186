import amqp from 'amqplib';
import { CONSUMED_ROUTING_KEYS, names } from '@checkout-lab/shared';

/** The work queues of one service (one per routing key it consumes; not its retry queues nor its DLQ). */
export function serviceQueues(service: string, rabbitPrefix: string): string[] {
  const adapter = names(rabbitPrefix);
  return (CONSUMED_ROUTING_KEYS[service] ?? []).map((key) => adapter.queue(service, key));
}

/**
 * The messages waiting (ready, not yet delivered) in each of a service's work queues, read with checkQueue on one
 * connection; null for a queue the broker does not have. A queue the broker does not know closes the channel it was
 * asked on, so each queue gets a channel of its own.
 */
export async function serviceQueueDepths(
  amqpUrl: string,
  service: string,
  rabbitPrefix: string,
): Promise<Record<string, number | null>> {
  const connection = await amqp.connect(amqpUrl, { timeout: 2000 });
  connection.on('error', () => {});
  try {
    const depths: Record<string, number | null> = {};
    for (const queue of serviceQueues(service, rabbitPrefix)) {
      const channel = await connection.createChannel();
      channel.on('error', () => {});
      depths[queue] = await channel.checkQueue(queue).then(
        (info) => info.messageCount,
        () => null,
      );
      await channel.close().catch(() => {});
    }
    return depths;
  } finally {
    await connection.close().catch(() => {});
  }
}
