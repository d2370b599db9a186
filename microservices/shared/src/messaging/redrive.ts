import { createLogger } from '@checkout-lab/kit';
import amqp, { type ConfirmChannel } from 'amqplib';
import { z } from 'zod';
import { loadConfig } from '../config';
import { HEADERS, names } from './topology';

/**
 * LESSON: dead letters and redrive (LESSONS.md#dead-letters-and-redrive). A message that failed
 * every retry waits in <service>.dlq with the queue it came from and its last error; once the cause is fixed, redrive
 * sends it back to that queue with a fresh retry budget. The idempotent consumer makes a redrive safe to repeat.
 */

export interface DeadLetter {
  queue: string;
  event_id: string | null;
  type: string | null;
  error: string | null;
  dead_lettered_at: string | null;
  body: string;
}

async function withChannel<T>(amqpUrl: string, fn: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    return await fn(channel);
  } finally {
    await connection.close().catch(() => {});
  }
}

/** How many messages wait in a queue (its DLQ, usually). */
export async function queueDepth(amqpUrl: string, queue: string): Promise<number> {
  return withChannel(amqpUrl, async (channel) => (await channel.checkQueue(queue)).messageCount);
}

/**
 * Reads up to `limit` dead letters without removing them: each is fetched, then returned to the queue when the
 * connection closes (unacked messages go back to the queue).
 */
export async function peekDeadLetters(amqpUrl: string, dlq: string, limit = 20): Promise<DeadLetter[]> {
  return withChannel(amqpUrl, async (channel) => {
    const letters: DeadLetter[] = [];
    for (let index = 0; index < limit; index++) {
      const message = await channel.get(dlq, { noAck: false });
      if (!message) break;
      const headers = message.properties.headers ?? {};
      letters.push({
        queue: String(headers[HEADERS.originalQueue] ?? ''),
        event_id: message.properties.messageId ?? null,
        type: message.properties.type ?? null,
        error: headers[HEADERS.error] ? String(headers[HEADERS.error]) : null,
        dead_lettered_at: headers[HEADERS.deadLetteredAt] ? String(headers[HEADERS.deadLetteredAt]) : null,
        body: message.content.toString('utf8').slice(0, 2000),
      });
    }
    return letters;
  });
}

/**
 * Moves up to `limit` messages from a DLQ back to the queue each came from. Each is republished with a publisher
 * confirm before the dead letter is acked, so a crash in the middle duplicates at worst, never loses.
 */
export async function redrive(amqpUrl: string, dlq: string, limit = Number.POSITIVE_INFINITY): Promise<number> {
  return withChannel(amqpUrl, async (channel) => {
    let moved = 0;
    while (moved < limit) {
      const message = await channel.get(dlq, { noAck: false });
      if (!message) break;
      const headers = { ...(message.properties.headers ?? {}) };
      const target = headers[HEADERS.originalQueue];
      if (typeof target !== 'string' || !target) {
        channel.nack(message, false, true);
        throw new Error(`a message in ${dlq} does not say which queue it came from`);
      }
      delete headers[HEADERS.originalQueue];
      delete headers[HEADERS.retryCount];
      delete headers[HEADERS.deadLetteredAt];
      headers['x-redriven-at'] = new Date().toISOString();
      await new Promise<void>((resolve, reject) =>
        channel.sendToQueue(target, message.content, { ...message.properties, persistent: true, headers }, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
      channel.ack(message);
      moved += 1;
    }
    return moved;
  });
}

/**
 * The command line: `npx tsx microservices/shared/src/messaging/redrive.ts <service> [--list] [--limit N]`, with the
 * same AMQP_URL and RABBIT_PREFIX as the lab. --list shows the dead letters without moving them.
 */
async function main(argv: string[]): Promise<void> {
  const config = loadConfig(
    z.object({
      AMQP_URL: z.string().default('amqp://guest:guest@127.0.0.1:5672'),
      RABBIT_PREFIX: z.string().default(''),
    }),
  );
  const log = createLogger('redrive');
  const service = argv.find((arg) => !arg.startsWith('--'));
  if (!service) {
    console.error('usage: redrive.ts <service, e.g. payment-service> [--list] [--limit N]');
    process.exitCode = 2;
    return;
  }
  const limitIndex = argv.indexOf('--limit');
  const limit = limitIndex >= 0 ? Number(argv[limitIndex + 1]) : Number.POSITIVE_INFINITY;
  const dlq = names(config.RABBIT_PREFIX).dlq(service);
  if (argv.includes('--list')) {
    const depth = await queueDepth(config.AMQP_URL, dlq);
    console.log(JSON.stringify({ dlq, depth, messages: await peekDeadLetters(config.AMQP_URL, dlq) }, null, 2));
    return;
  }
  const moved = await redrive(config.AMQP_URL, dlq, limit);
  log.info({ dlq, moved }, 'redrive done');
  console.log(`moved ${moved} message(s) from ${dlq} back to their queues`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).catch((error) => {
    console.error((error as Error).message);
    process.exitCode = 1;
  });
}
