import { DEFAULT_KNOBS } from '@checkout-lab/kit';
import { findStep, type LabHandle, stepEnd, stepStart } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import { config, hasProduct, knobBackStep, newestOrders, twoBuyers, watchForLockWait } from './shared';

// LESSON: Watch the lock (LESSONS.md#watch-the-lock)

const PRODUCT = 5;
/** The payment delay the solution sets: long enough to look, short enough for verify-all. */
const SLOW_PAYMENT_MS = 2500;

/** The second of the two newest orders of the product took its stock only after the first was at its email. */
async function queuedBehind(lab: LabHandle): Promise<CheckResult> {
  const [ben, anna] = await newestOrders(lab, 'monolith', 2, hasProduct(PRODUCT));
  if (!anna)
    return fail(`Fewer than two monolith orders of product ${PRODUCT}: have two buyers check it out together.`);
  const benStock = findStep(ben, '3_reserve_inventory');
  const annaEmail = findStep(anna, '9_send_email');
  if (!benStock || !annaEmail) {
    return fail(
      `Orders #${anna.id} and #${ben.id} lack the steps 3_reserve_inventory / 9_send_email: are both confirmed?`,
    );
  }
  if (stepEnd(benStock) < stepStart(annaEmail)) {
    return fail(
      `Order #${ben.id} took its stock before order #${anna.id} reached its email: they did not queue. ` +
        'Send the second checkout while the first is still in its payment (a slow payment_delay_ms gives you time).',
    );
  }
  return pass(
    `Order #${ben.id}'s 3_reserve_inventory lasted ${benStock.duration_ms} ms and ended after order #${anna.id} had started its email: ` +
      `it waited behind #${anna.id}'s lock.`,
  );
}

export const watchTheLock: Lesson = {
  id: 'watch-the-lock',
  title: 'Watch the lock',
  anchor: 'watch-the-lock',
  stacks: ['monolith'],
  goal: 'See one buyer hold the stock row lock through the payment while the next one waits for it in PostgreSQL.',
  steps: [
    {
      instructions:
        'Make the payment slow so there is time to look: payment_delay_ms above the default and below PAYMENT_TIMEOUT_MS (3000), at which the monolith gives up with 504.',
      uses: {
        view: 'Instructor (the knobs)',
        command: 'curl -X PUT $M/api/lab/config -d \'{"payment_delay_ms": 2500}\'',
      },
      async check(lab) {
        const now = (await config(lab, 'monolith')).payment_delay_ms;
        if (now <= DEFAULT_KNOBS.payment_delay_ms) {
          return fail(`payment_delay_ms is ${now}, the default: raise it with PUT /api/lab/config on the monolith.`);
        }
        return pass(`payment_delay_ms is ${now}: each checkout holds its lock through that payment.`);
      },
      hints: ['The knob is payment_delay_ms, on PUT /api/lab/config (admin).'],
      async solve(lab) {
        await lab.expect('monolith', 'PUT', '/api/lab/config', { payment_delay_ms: SLOW_PAYMENT_MS });
      },
    },
    {
      instructions:
        `Have two buyers check out product ${PRODUCT}, the second a moment after the first, and run the check while ` +
        'they are in flight: it watches pg_stat_activity for the second one waiting on a lock the first one holds.',
      uses: {
        view: 'Internals ("PostgreSQL lock waits")',
        command: 'psql: the pg_stat_activity query of LESSONS.md, \\watch 1',
      },
      async check(lab) {
        const found = await watchForLockWait(lab);
        if ('waiting' in found) {
          const { waiting, holder } = found;
          return pass(
            `Backend ${waiting.pid} is active with wait_event_type Lock, blocked by ${waiting.blocked_by.join(', ')}` +
              `${holder ? ` (${holder.state})` : ''}; its query: ${waiting.query}`,
          );
        }
        return fail(
          found.seen
            ? 'The checkouts in flight ended without one waiting on a lock: start the second while the first is still paying.'
            : 'No monolith checkout is in a transaction now, so nothing holds a lock: start the two buyers, then check while they wait.',
        );
      },
      hints: [
        'The check can only see the wait while it happens: start the buyers first, then run the check at once.',
        'Both buyers must want the same product; the lock is on its inventory row.',
        'The buyers loop of LESSONS.md starts them one second apart, in the background (&).',
      ],
      async solve(lab) {
        for (const answer of await twoBuyers(lab, PRODUCT)) lab.background(answer);
      },
    },
    {
      instructions: "When both answered, read the two orders: the second one's 3_reserve_inventory holds the wait.",
      uses: { command: 'curl $M/api/orders/<id> (the steps)' },
      check: queuedBehind,
      hints: [
        'GET /api/orders/:id shows each step with started_at and duration_ms.',
        "The second buyer's step 3 ends only when the first buyer commits, after its payment and email.",
      ],
      async solve(lab) {
        await lab.settle();
        if (!(await queuedBehind(lab)).pass) await Promise.all(await twoBuyers(lab, PRODUCT));
      },
    },
    knobBackStep('monolith', 'payment_delay_ms', queuedBehind),
  ],
};
