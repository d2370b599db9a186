import { DEFAULT_KNOBS } from '@checkout-lab/kit';
import { findStep, type LabHandle, stepEnd, stepStart } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import { fixes, hasProduct, newestOrders, twoBuyers } from './shared';

// LESSON: Is it the architecture or the transaction? (LESSONS.md#is-it-the-architecture-or-the-transaction)

const PRODUCT = 4;
const ALL_OFF = {
  short_lock: false,
  payment_outside_transaction: false,
  async_email: false,
  accept_then_process: false,
};

/** The second of the two newest orders of the product took its stock while the first was still paying. */
async function noQueue(lab: LabHandle): Promise<CheckResult> {
  const [ben, anna] = await newestOrders(lab, 'monolith', 2, hasProduct(PRODUCT));
  if (!anna)
    return fail(`Fewer than two monolith orders of product ${PRODUCT}: have two buyers check it out together.`);
  if (anna.status !== 'confirmed' || ben.status !== 'confirmed') {
    return fail(`Orders #${anna.id} and #${ben.id} are ${anna.status} and ${ben.status}: both should be confirmed.`);
  }
  const benStock = findStep(ben, '3_reserve_inventory');
  const annaEmail = findStep(anna, '9_send_email');
  const annaPayment = findStep(anna, '6_process_payment');
  if (!benStock || !annaEmail || !annaPayment)
    return fail(`Orders #${anna.id} and #${ben.id} lack their steps 3, 6 or 9.`);
  if (stepStart(ben.steps[0]) > stepEnd(annaPayment)) {
    return fail(
      `Order #${ben.id} started after order #${anna.id} had paid: send the second checkout while the first is paying.`,
    );
  }
  if (stepEnd(benStock) >= stepStart(annaEmail)) {
    return fail(
      `Order #${ben.id}'s 3_reserve_inventory ended only after order #${anna.id} reached its email: it waited for the lock. ` +
        'Is short_lock on (GET /api/lab/fixes)?',
    );
  }
  return pass(
    `Order #${ben.id} took its stock in ${benStock.duration_ms} ms while order #${anna.id} was still paying: no queue behind a lock.`,
  );
}

export const isItTheArchitectureOrTheTransaction: Lesson = {
  id: 'is-it-the-architecture-or-the-transaction',
  title: 'Is it the architecture or the transaction?',
  anchor: 'is-it-the-architecture-or-the-transaction',
  stacks: ['monolith'],
  goal: "See that the monolith's queue comes from its transaction: with short_lock, two buyers of one product no longer wait for each other.",
  steps: [
    {
      instructions: 'Switch the fix short_lock on (PUT /api/lab/fixes on the monolith).',
      uses: { view: 'Instructor', command: 'curl -X PUT $M/api/lab/fixes -d \'{"short_lock": true}\'' },
      async check(lab) {
        const now = await fixes(lab);
        if (now.short_lock !== true)
          return fail('short_lock is off: PUT /api/lab/fixes {"short_lock": true} on the monolith.');
        return pass('short_lock is on: step 3 is one conditional UPDATE, committed at once.');
      },
      hints: ["GET /api/lab/fixes lists the four switches; the gateway answers 404, the fixes are the monolith's."],
      async solve(lab) {
        await lab.expect('monolith', 'PUT', '/api/lab/fixes', { short_lock: true });
      },
    },
    {
      instructions:
        `With a slow payment (payment_delay_ms 2500, below PAYMENT_TIMEOUT_MS), have two buyers check out product ${PRODUCT}, the second while the ` +
        'first is paying, and compare their orders with those of "Watch the lock".',
      uses: { view: 'Internals ("PostgreSQL lock waits")', command: 'the buyers loop of "Watch the lock", product 4' },
      check: noQueue,
      hints: [
        "The second buyer's 3_reserve_inventory is short now: nobody holds the stock row through a payment.",
        'GET /api/orders/:id of both: compare step 3 of the second with step 6 of the first.',
      ],
      async solve(lab) {
        await lab.expect('monolith', 'PUT', '/api/lab/config', { payment_delay_ms: 2500 });
        await Promise.all(await twoBuyers(lab, PRODUCT));
      },
    },
    {
      instructions: 'Switch every fix off again and put the knob back (payment_delay_ms 1000).',
      uses: { command: `curl -X PUT $M/api/lab/fixes -d '${JSON.stringify(ALL_OFF)}'` },
      async check(lab) {
        const queued = await noQueue(lab);
        if (!queued.pass) return queued;
        const on = Object.entries(await fixes(lab))
          .filter(([, value]) => value)
          .map(([name]) => name);
        if (on.length > 0) return fail(`Still on: ${on.join(', ')}. PUT /api/lab/fixes with each false.`);
        const delay = (await lab.expect<{ payment_delay_ms: number }>('monolith', 'GET', '/api/lab/config'))
          .payment_delay_ms;
        if (delay !== DEFAULT_KNOBS.payment_delay_ms) return fail(`payment_delay_ms is ${delay}: put it back to 1000.`);
        return pass('Every fix is off: the checkout is the blocking one again.');
      },
      hints: ['PUT /api/lab/fixes takes any subset; send all four false.'],
      async solve(lab) {
        await lab.expect('monolith', 'PUT', '/api/lab/fixes', ALL_OFF);
        await lab.expect('monolith', 'PUT', '/api/lab/config', { payment_delay_ms: DEFAULT_KNOBS.payment_delay_ms });
      },
    },
  ],
};
