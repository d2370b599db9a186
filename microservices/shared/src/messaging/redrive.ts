import { createHash, randomUUID } from 'node:crypto';
import amqp, { type ConfirmChannel, type GetMessage } from 'amqplib';
import { HEADERS } from './topology';

// LESSON: Dead letters and redrive (LESSONS.md#dead-letters-and-redrive)
/**
 * A message that failed
 * every retry waits in <service>.dlq with the queue it came from and its last error; once the cause is fixed, redrive
 * sends it back to that queue with a fresh retry budget. The idempotent consumer makes a redrive safe to repeat.
 */

export interface DeadLetter {
  /** Stable while the letter waits: the message id the outbox gave it, else a digest of the message itself. */
  id: string;
  queue: string;
  event_id: string | null;
  type: string | null;
  error: string | null;
  /** Deliveries that failed before it was parked: the first one and its retries. */
  attempts: number;
  dead_lettered_at: string | null;
  /** The first 2,000 characters of the body, as text. */
  body: string;
  /** The body parsed as JSON (the event envelope), or null when it is not JSON. */
  event: unknown;
}

export interface RedriveOptions {
  /** Move at most this many; default all of them that were waiting when the call began. */
  limit?: number;
  /** Move only the letters with these ids (DeadLetter.id); the others stay in the DLQ, untouched. */
  ids?: readonly string[];
}

/** The header a redrive stamps on what it sends back: the call's own id, so the same call never fetches it twice. */
export const REDRIVE_HEADER = 'x-redrive-id';

/** The id a letter keeps between a listing and a redrive. Events always carry a message id; garbage may not. */
export function letterId(message: GetMessage): string {
  if (message.properties.messageId) return String(message.properties.messageId);
  const headers = message.properties.headers ?? {};
  const digest = createHash('sha256')
    .update(String(headers[HEADERS.deadLetteredAt] ?? ''))
    .update('\0')
    .update(message.content)
    .digest('hex');
  return `sha256:${digest.slice(0, 24)}`;
}

/**
 * One connection and one confirm channel for the work, and both closed in that order. Closing the channel is what
 * makes its acks final: it is a round trip the broker answers only once it has handled every frame before it.
 * Closing only the connection drops the channel with it, and a quorum queue may not have applied the last acks yet:
 * it hands those messages back, so a "moved" letter was copied, not moved.
 */
async function withChannel<T>(amqpUrl: string, fn: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    let open = true;
    channel.on('close', () => {
      open = false;
    });
    // A channel the broker closes (a queue that does not exist) says why here, and the call's promise rejects.
    channel.on('error', () => {});
    let result: T;
    try {
      result = await fn(channel);
    } catch (error) {
      if (open) await channel.close().catch(() => {});
      throw error;
    }
    // LESSON: A lost ack (LESSONS.md#a-lost-ack). An ack is a request until the channel closes cleanly.
    if (open) await channel.close();
    return result;
  } finally {
    await connection.close().catch(() => {});
  }
}

/** The DLQ's depth, or null when it does not exist (a service that never consumed has none). */
async function depthOf(channel: ConfirmChannel, queue: string): Promise<number | null> {
  try {
    return (await channel.checkQueue(queue)).messageCount;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return null;
    throw error;
  }
}

/** How many messages wait in a queue (its DLQ, usually). */
export async function queueDepth(amqpUrl: string, queue: string): Promise<number> {
  return withChannel(amqpUrl, async (channel) => (await channel.checkQueue(queue)).messageCount);
}

function describe(message: GetMessage): DeadLetter {
  const headers = message.properties.headers ?? {};
  return {
    id: letterId(message),
    queue: String(headers[HEADERS.originalQueue] ?? ''),
    event_id: message.properties.messageId ?? null,
    type: message.properties.type ?? null,
    error: headers[HEADERS.error] ? String(headers[HEADERS.error]) : null,
    attempts: Number(headers[HEADERS.retryCount] ?? 0) + 1,
    dead_lettered_at: headers[HEADERS.deadLetteredAt] ? String(headers[HEADERS.deadLetteredAt]) : null,
    body: message.content.toString('utf8').slice(0, 2000),
    event: parseJson(message.content),
  };
}

function parseJson(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8'));
  } catch {
    return null;
  }
}

/**
 * Reads up to `limit` dead letters without removing them: each is fetched and left unacked, so all of them go back
 * to the queue when the channel closes. Bounded by the depth at the start: nothing is read twice.
 */
export async function peekDeadLetters(amqpUrl: string, dlq: string, limit = 20): Promise<DeadLetter[]> {
  return withChannel(amqpUrl, async (channel) => {
    const depth = (await depthOf(channel, dlq)) ?? 0;
    const letters: DeadLetter[] = [];
    for (let index = 0; index < Math.min(limit, depth); index++) {
      const message = await channel.get(dlq, { noAck: false });
      if (!message) break;
      letters.push(describe(message));
    }
    return letters;
  });
}

/**
 * Moves dead letters back to the queue each came from, each exactly once, and returns how many it moved. Each is
 * republished with a publisher confirm before the dead letter is acked, so a crash in the middle duplicates at worst,
 * never loses. One call is bounded: it fetches at most the DLQ's depth at its start, and a message it sent back that
 * failed at once and is already in the DLQ again (its REDRIVE_HEADER is this call's) is left there for the next call,
 * so a message that still fails is redriven once per call instead of for ever. Letters it skips (not in `ids`, or
 * back again, or not saying which queue it came from) stay unacked until the channel closes, which returns them to the
 * DLQ.
 */
export async function redrive(amqpUrl: string, dlq: string, options: RedriveOptions = {}): Promise<number> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const wanted = options.ids ? new Set(options.ids) : null;
  const callId = randomUUID();
  return withChannel(amqpUrl, async (channel) => {
    const depth = (await depthOf(channel, dlq)) ?? 0;
    let moved = 0;
    for (let fetched = 0; fetched < depth && moved < limit; fetched++) {
      const message = await channel.get(dlq, { noAck: false });
      if (!message) break;
      const headers = { ...(message.properties.headers ?? {}) };
      if (headers[REDRIVE_HEADER] === callId) continue;
      if (wanted && !wanted.has(letterId(message))) continue;
      const target = headers[HEADERS.originalQueue];
      // A letter that does not say where it came from has nowhere to go back to: it stays for a person to read.
      if (typeof target !== 'string' || !target) continue;
      delete headers[HEADERS.originalQueue];
      delete headers[HEADERS.retryCount];
      delete headers[HEADERS.deadLetteredAt];
      headers['x-redriven-at'] = new Date().toISOString();
      headers[REDRIVE_HEADER] = callId;
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
