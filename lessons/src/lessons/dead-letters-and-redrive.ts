import type { LabHandle } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import {
  type DeadLetter,
  deadLetters,
  describeOrder,
  faults,
  newestOrders,
  RETRY_BACKOFF_MS,
  redriveUntilFinal,
} from './shared';

// LESSON: Dead letters and redrive (LESSONS.md#dead-letters-and-redrive)

const PRODUCT = 3;

async function emailLetters(lab: LabHandle): Promise<DeadLetter[]> {
  return (await deadLetters(lab)).filter((letter) => letter.service === 'email-service');
}

async function parked(lab: LabHandle): Promise<CheckResult> {
  const letters = await emailLetters(lab);
  const [order] = await newestOrders(lab, 'microservices', 1);
  if (letters.length === 0) {
    if (order?.status === 'paid') {
      return fail(
        `Order #${order.id} is paid and its email is still retrying (after 0.5 s, 2 s, 8 s): check again in a moment.`,
      );
    }
    return fail(
      "email-service's dead letters are empty (GET /api/lab/dead-letters): switch smtp_down on for the microservices and check out.",
    );
  }
  const letter = letters[letters.length - 1];
  const orderId = letter.event.payload?.order_id;
  const status = orderId ? (await lab.order('microservices', orderId)).status : 'unknown';
  return pass(
    `email-service's dead letter ${letter.id} (${letter.attempts} attempts, "${letter.reason}") is order #${orderId}'s email; ` +
      `the order stays ${status}: nothing was lost.`,
  );
}

export const deadLettersAndRedrive: Lesson = {
  id: 'dead-letters-and-redrive',
  title: 'Dead letters and redrive',
  anchor: 'dead-letters-and-redrive',
  stacks: ['microservices'],
  goal: 'Follow a message that cannot succeed through its bounded retries into the dead letters, then redrive it once its cause is fixed.',
  steps: [
    {
      instructions:
        'Switch smtp_down on for the microservices (the fault lab), check out on the gateway, and wait until ' +
        "email-service's retries park the order's email in its dead-letter queue.",
      uses: {
        view: 'Faults, then Internals ("RabbitMQ queues", Dead letters)',
        command: 'curl -X PUT $G/api/lab/faults -d \'{"smtp_down": true}\'; curl $G/api/lab/dead-letters',
      },
      check: parked,
      hints: [
        'The checkout still answers 202 and the order gets paid: only its email fails.',
        'Three retries (0.5 s, 2 s, 8 s), then the dead letter: it takes over ten seconds.',
        'GET /api/lab/dead-letters on the gateway, as the admin.',
      ],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/faults', { smtp_down: true });
        await lab.buyOnce('microservices', PRODUCT, 'parked');
        await lab.until('a dead letter of email-service', async () =>
          (await emailLetters(lab)).length > 0 ? true : undefined,
        );
      },
    },
    {
      instructions: 'Fix the cause (switch smtp_down off), then redrive the dead letters: the order turns confirmed.',
      uses: {
        view: 'Faults (reset), then Dead letters → Redrive all',
        command: 'curl -X POST $G/api/lab/faults/reset; curl -X POST $G/api/lab/dead-letters/redrive',
      },
      async check(lab) {
        if ((await faults(lab, 'microservices')).smtp_down !== false) {
          return fail(
            'smtp_down is still on for the microservices: a redrive now would only fail again. POST /api/lab/faults/reset.',
          );
        }
        const letters = await emailLetters(lab);
        if (letters.length > 0)
          return fail(
            `email-service still holds ${letters.length} dead letter(s): POST /api/lab/dead-letters/redrive.`,
          );
        const [order] = await newestOrders(lab, 'microservices', 1);
        if (!order) return fail('The microservices have no order: do step 1 first.');
        if (order.status !== 'confirmed')
          return fail(`The newest order is ${describeOrder(order)}: poll it, or redrive again.`);
        if ((order.completion_duration_ms ?? 0) < RETRY_BACKOFF_MS) {
          return fail(
            `Order #${order.id} was confirmed without going through the retries: do step 1 (smtp_down, a checkout) first.`,
          );
        }
        return pass(
          `No dead letter left; order #${order.id} is confirmed after ${order.completion_duration_ms} ms, its email sent once.`,
        );
      },
      hints: [
        'Redrive is for after the cause is fixed: clear the fault first.',
        'POST /api/lab/dead-letters/redrive with no ids redrives them all.',
      ],
      async solve(lab) {
        await lab.expect('microservices', 'POST', '/api/lab/faults/reset');
        await lab.expect('microservices', 'POST', '/api/lab/dead-letters/redrive', {});
        const [order] = await newestOrders(lab, 'microservices', 1);
        if (order) await redriveUntilFinal(lab, order.id);
      },
    },
  ],
};
