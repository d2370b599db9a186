import type { LabHandle } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import { config, type DeadLetter, deadLetters, patterns, RETRY_BACKOFF_MS } from './shared';

// LESSON: Switch off dead letters (LESSONS.md#switch-off-dead-letters)

/** The poison message of "Dead letters and redrive": an order.order.paid for an order nobody has, with no recipient. */
const POISON_ORDER = 999_999;
const POISON_SQL = `INSERT INTO outbox (id, type, payload) VALUES (gen_random_uuid(),
  'order.order.paid', jsonb_build_object('id', gen_random_uuid(), 'type', 'order.order.paid', 'version', 1,
  'occurred_at', now(), 'correlation_id', 'poison-demo', 'causation_id', null,
  'payload', jsonb_build_object('order_id', ${POISON_ORDER}, 'user_id', 1, 'user_email', '', 'total', '1.00', 'items', '[]'::jsonb)))`;
const RETRIES = 3;

/**
 * The least time before the poison message's fourth failure, the first one past its retries: four attempts, each
 * after email-service's email delay, and the three backoffs between them. Before it, it cannot have gone round.
 */
async function pastRetriesMs(lab: LabHandle): Promise<number> {
  const { email_delay_ms: delay } = await config(lab, 'microservices');
  return RETRY_BACKOFF_MS + (RETRIES + 1) * delay;
}

async function poisonLetters(lab: LabHandle): Promise<DeadLetter[]> {
  return (await deadLetters(lab)).filter((letter) => letter.event.payload?.order_id === POISON_ORDER);
}

/** How long ago the poison message left order-service's outbox, by PostgreSQL's clock; null if it never did. */
async function poisonSentAgoMs(lab: LabHandle): Promise<number | null> {
  const [row] = await lab.query<{ ago_ms: number | null }>(
    'orders',
    `SELECT (extract(epoch FROM now() - max(sent_at)) * 1000)::int AS ago_ms FROM outbox
      WHERE type = 'order.order.paid' AND (payload->'payload'->>'order_id')::int = $1`,
    [POISON_ORDER],
  );
  return row?.ago_ms ?? null;
}

/** The poison went past its three retries and no dead letter holds it: it goes round for ever. */
async function goingRound(lab: LabHandle): Promise<CheckResult> {
  const ago = await poisonSentAgoMs(lab);
  if (ago === null)
    return fail(
      `No poison message (order.order.paid for order ${POISON_ORDER}) went out of order-service's outbox: insert it (the SQL of "Dead letters and redrive").`,
    );
  const least = await pastRetriesMs(lab);
  if (ago < least)
    return fail(
      `The poison message went out ${Math.round(ago / 1000)} s ago: its four attempts (each after the email delay) and ` +
        `three backoffs (0.5 s, 2 s, 8 s) take at least ${Math.round(least / 1000)} s; check again in a few seconds.`,
    );
  const parked = await poisonLetters(lab);
  if (parked.length > 0)
    return fail(
      `The poison message is in email-service's dead letters (${parked[0].attempts} attempts): were dead letters off before it failed its third retry?`,
    );
  return pass(
    `The poison message went out ${Math.round(ago / 1000)} s ago, past its three retries, and GET /api/lab/dead-letters does not ` +
      'list it: it goes round again ("goes round again (no limit)" in email-service\'s log), and nobody is told.',
  );
}

export const switchOffDeadLetters: Lesson = {
  id: 'switch-off-dead-letters',
  title: 'Switch off dead letters',
  anchor: 'switch-off-dead-letters',
  stacks: ['microservices'],
  goal: 'See a message that can never succeed retried for ever, with nothing for a person to see, once the DLQ is switched off.',
  steps: [
    {
      instructions: 'Switch dead letters off on the gateway.',
      uses: {
        view: 'Faults (the Dead letters switch)',
        command: 'curl -X PUT $G/api/lab/patterns -d \'{"dead_letters": false}\'',
      },
      async check(lab) {
        if ((await patterns(lab)).dead_letters !== false)
          return fail('The pattern dead_letters is on: PUT /api/lab/patterns {"dead_letters": false} on the gateway.');
        return pass('Dead letters are off: past its retries a failing message goes round again.');
      },
      hints: ['PUT /api/lab/patterns on the gateway, as the admin.'],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/patterns', { dead_letters: false });
      },
    },
    {
      instructions:
        'Put the poison message of "Dead letters and redrive" in order-service\'s outbox, wait past its three retries (over 10 s), ' +
        "and watch email-service's log and the dead letters.",
      uses: {
        view: 'Internals ("RabbitMQ queues": retrying), Faults (Dead letters)',
        command:
          'psql -d checkout_orders -c "INSERT INTO outbox ..."; grep \'goes round again\' .lab-data/logs/email-service.log',
      },
      check: goingRound,
      hints: [
        'The INSERT is in LESSONS.md, "Dead letters and redrive": an order.order.paid with no recipient.',
        'Each round waits in the first retry queue, about half a second: the retry count grows past 3.',
        'GET /api/lab/dead-letters stays empty meanwhile.',
      ],
      async solve(lab) {
        await lab.query('orders', POISON_SQL);
        // Two more rounds than the least, each an attempt and the first retry queue's wait: past the limit for sure.
        const { email_delay_ms: delay } = await config(lab, 'microservices');
        const wait = (await pastRetriesMs(lab)) + 2 * (delay + 500);
        await lab.until('the poison message past its retries', async () => {
          const ago = await poisonSentAgoMs(lab);
          return ago !== null && ago >= wait ? true : undefined;
        });
      },
    },
    {
      instructions:
        'Switch dead letters back on: its next failure is past the limit, and it lands in the dead letters.',
      uses: {
        view: 'Faults (the Dead letters switch and panel)',
        command: 'curl -X PUT $G/api/lab/patterns -d \'{"dead_letters": true}\'; curl $G/api/lab/dead-letters',
      },
      async check(lab) {
        if ((await patterns(lab)).dead_letters !== true)
          return fail('The pattern dead_letters is still off: PUT /api/lab/patterns {"dead_letters": true}.');
        const [letter] = await poisonLetters(lab);
        if (!letter)
          return fail(
            `No dead letter holds the poison message (order ${POISON_ORDER}): it lands at its next failure, within a round; check again.`,
          );
        if (letter.attempts <= RETRIES + 1)
          return fail(
            `The poison message was parked after ${letter.attempts} attempts, not more than its ${RETRIES} retries: was it going round with dead letters off?`,
          );
        return pass(
          `Dead letter ${letter.id} (${letter.service}, "${letter.reason}") holds the poison message after ${letter.attempts} attempts, ` +
            `more than its ${RETRIES} retries: one letter to read, instead of a loop nobody sees.`,
        );
      },
      hints: ['The same PUT /api/lab/patterns with true, then GET /api/lab/dead-letters.'],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/patterns', { dead_letters: true });
        await lab.until('the poison message dead-lettered', async () =>
          (await poisonLetters(lab)).length > 0 ? true : undefined,
        );
      },
    },
  ],
};
