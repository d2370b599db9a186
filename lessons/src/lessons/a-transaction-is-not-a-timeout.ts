import type { LabHandle } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import { audit, faults, monolithBackends, twoBuyers, watchForLockWait } from './shared';

// LESSON: A transaction is not a timeout (LESSONS.md#a-transaction-is-not-a-timeout)

const PRODUCT = 5;

interface Charge {
  id: string;
  order_ref: string;
  status: string;
}

/** The cart total of one unit of the product: the amount of each charge the two buyers' checkouts ask for. */
async function priceOf(lab: LabHandle): Promise<string> {
  const product = await lab.api<{ price: string }>('monolith', 'GET', `/api/products/${PRODUCT}`, { token: null });
  return product.body.price;
}

/**
 * Both buyers got their answer: no transaction of the monolith is open any more, and the provider holds two charges of
 * the product's price, succeeded, for orders the monolith did not keep. Each checkout gave up at PAYMENT_TIMEOUT_MS.
 */
async function bothGaveUp(lab: LabHandle): Promise<CheckResult> {
  const open = await monolithBackends(lab);
  if (open.length > 0) {
    return fail(
      `${open.length} monolith transaction(s) still open (${open.map((b) => `${b.pid} ${b.state}`).join(', ')}): ` +
        'the second buyer waits its own PAYMENT_TIMEOUT_MS once it has the lock; check again when both have answered.',
    );
  }
  const price = await priceOf(lab);
  const orphans = ((await audit(lab, 'monolith')).orphan_charges ?? []).filter((charge) => charge.amount === price);
  if (orphans.length < 2) {
    return fail(
      `The monolith's audit lists ${orphans.length} orphan charge(s) of ${price} (product ${PRODUCT}), not two: with ` +
        `payment_hang on, have two buyers check out product ${PRODUCT} and wait for both answers ` +
        '(504 PAYMENT_TIMEOUT).',
    );
  }
  if ((await faults(lab, 'monolith')).smtp_down !== false) {
    return fail(
      "smtp_down is on for the monolith: then a rollback may be the mail server's (503 EMAIL_FAILED), not the " +
        "payment's. Switch it off and check out again with payment_hang on.",
    );
  }
  const merchant = lab.address.namePrefix ? `${lab.address.namePrefix}_monolith` : 'monolith';
  const ledger = await lab.request<{ charges: Charge[] }>(
    `${lab.address.paymentProvider}/v1/charges?merchant=${merchant}`,
  );
  const lastTwo = orphans.slice(-2);
  for (const orphan of lastTwo) {
    const charge = ledger.body.charges.find((candidate) => candidate.id === orphan.provider_charge_id);
    if (charge?.status !== 'succeeded') {
      return fail(
        `The provider's ledger has charge ${orphan.provider_charge_id} as ${charge?.status ?? 'missing'}, ` +
          'not succeeded.',
      );
    }
    const kept = await lab.api('monolith', 'GET', `/api/orders/${orphan.order_ref}`);
    if (kept.status !== 404) {
      return fail(`Order #${orphan.order_ref} answers ${kept.status}: the monolith kept an order it was charged for.`);
    }
  }
  const held = lastTwo.map((o) => `${o.provider_charge_id} (order_ref ${o.order_ref})`).join(' and ');
  return pass(
    `No monolith transaction is open, and the provider holds ${held}, succeeded, for orders the monolith does ` +
      'not have (404): each buyer got 504 PAYMENT_TIMEOUT after PAYMENT_TIMEOUT_MS and a ROLLBACK that freed the ' +
      'lock, and the money stayed taken.',
  );
}

export const aTransactionIsNotATimeout: Lesson = {
  id: 'a-transaction-is-not-a-timeout',
  title: 'A transaction is not a timeout',
  anchor: 'a-transaction-is-not-a-timeout',
  stacks: ['monolith'],
  goal:
    'See an outside call that never answers hold a checkout transaction and its row lock until the ' +
    "caller's own deadline ends it.",
  steps: [
    {
      instructions:
        'Make the card provider hang on the monolith: switch the fault payment_hang on (the provider takes the ' +
        'charge and never answers; the monolith gives up after PAYMENT_TIMEOUT_MS, 3 s).',
      uses: {
        view: 'Faults (as the lab admin)',
        command: 'curl -X PUT $M/api/lab/faults -d \'{"payment_hang": true}\'',
      },
      async check(lab) {
        const now = (await faults(lab, 'monolith')).payment_hang;
        if (now !== true)
          return fail(`The monolith's payment_hang is ${String(now)}: switch it on with PUT /api/lab/faults.`);
        return pass('payment_hang is on: the next charge of the monolith is taken and never answered.');
      },
      hints: ['GET /api/lab/faults lists the catalog; PUT takes {"payment_hang": true}.'],
      async solve(lab) {
        await lab.expect('monolith', 'PUT', '/api/lab/faults', { payment_hang: true });
      },
    },
    {
      instructions:
        `Have two buyers check out product ${PRODUCT}, the second a moment after the first, and run the check while ` +
        "they wait: the first one's backend sits idle in transaction while the provider hangs, the second waits " +
        'on Lock.',
      uses: {
        view: 'Internals ("PostgreSQL lock waits")',
        command: 'psql: the pg_stat_activity query of "Watch the lock", \\watch 1',
      },
      async check(lab) {
        if ((await faults(lab, 'monolith')).payment_hang !== true)
          return fail('payment_hang is off: switch it on first (step 1), or the payment answers and nothing hangs.');
        const found = await watchForLockWait(lab, ({ holder }) => holder?.state === 'idle in transaction');
        if ('waiting' in found) {
          return pass(
            `Backend ${found.holder?.pid} is idle in transaction, waiting on the provider that will never answer, and ` +
              `backend ${found.waiting.pid} waits on Lock behind it: only the monolith's own PAYMENT_TIMEOUT_MS ends this.`,
          );
        }
        return fail(
          found.seen
            ? 'The checkouts in flight ended without one waiting on Lock behind an idle transaction: start the ' +
                'second while the first still waits.'
            : 'No monolith checkout is in a transaction now: start the two buyers, then run the check while they wait.',
        );
      },
      hints: [
        'The check can only see the wait while it happens: start the buyers first, then run the check at once.',
        'Both buyers must want the same product: the lock is on its inventory row (SELECT ... FOR UPDATE, step 3).',
        'The buyers loop of "Watch the lock" starts them one second apart, in the background (&).',
      ],
      async solve(lab) {
        for (const answer of await twoBuyers(lab, PRODUCT)) lab.background(answer);
      },
    },
    {
      instructions:
        'Wait for both answers (504 PAYMENT_TIMEOUT each, the second one a timeout later), then read the audit: no ' +
        'transaction left open, no order kept, and a charge at the provider for each buyer.',
      uses: {
        view: 'Storefronts, then Internals',
        command: 'curl $M/api/lab/audit | jq .orphan_charges',
      },
      check: bothGaveUp,
      hints: [
        'The answers come one timeout after the other: the second buyer waited for the lock, then for its own payment.',
        'GET /api/lab/audit: orphan_charges are charges the provider holds for no order the monolith kept.',
      ],
      async solve(lab) {
        await lab.settle();
        if (!(await bothGaveUp(lab)).pass) await Promise.all(await twoBuyers(lab, PRODUCT));
      },
    },
    {
      instructions: 'Put the fault back: payment_hang off (POST /api/lab/faults/reset).',
      uses: { view: 'Faults (reset)', command: 'curl -X POST $M/api/lab/faults/reset' },
      async check(lab) {
        const done = await bothGaveUp(lab);
        if (!done.pass) return done;
        if ((await faults(lab, 'monolith')).payment_hang !== false)
          return fail('payment_hang is still on: POST /api/lab/faults/reset on the monolith.');
        return pass('payment_hang is off again: the provider answers the next charge.');
      },
      hints: ['POST /api/lab/faults/reset turns every fault of the monolith off.'],
      async solve(lab) {
        await lab.settle();
        await lab.expect('monolith', 'POST', '/api/lab/faults/reset');
      },
    },
  ],
};
