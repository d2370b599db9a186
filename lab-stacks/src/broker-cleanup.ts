import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { normalizePrefix } from '@checkout-lab/shared';

const run = promisify(execFile);

/**
 * Deletes the exchange and every queue whose name starts with the run's RABBIT_PREFIX. Queue names come from
 * `rabbitmqctl list_queues` when it can be run here; `knownQueues` are deleted in any case.
 */
export async function deleteBrokerObjects(amqpUrl: string, rabbitPrefix: string, knownQueues: string[] = []) {
  const prefix = normalizePrefix(rabbitPrefix);
  if (!prefix) throw new Error('refusing to delete broker objects without a prefix');
  const queues = new Set(knownQueues);
  try {
    const { stdout } = await run('rabbitmqctl', ['list_queues', 'name', '-q', '--no-table-headers'], {
      timeout: 30_000,
    });
    for (const line of stdout.split('\n')) {
      const name = line.trim();
      if (name.startsWith(prefix)) queues.add(name);
    }
  } catch {
    // rabbitmqctl is not available to this user: only the known queues go.
  }
  const connection = await amqp.connect(amqpUrl);
  try {
    for (const queue of queues) {
      const channel = await connection.createChannel();
      await channel.deleteQueue(queue).catch(() => {});
      await channel.close().catch(() => {});
    }
    const channel = await connection.createChannel();
    await channel.deleteExchange(`${prefix}checkout.events`).catch(() => {});
    await channel.close().catch(() => {});
  } finally {
    await connection.close().catch(() => {});
  }
}
