import { DATABASE_NAMES } from '@checkout-lab/kit';
import { findStep, type LabHandle } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass, type Stack } from '../lesson';
import { faults, newestOrders } from './shared';

// LESSON: The fault lab (LESSONS.md#the-fault-lab)

const PRODUCT = 7;
/** The least delay the lesson asks for: enough to see in an order's steps and in pg_stat_activity. */
const LEAST_DELAY_MS = 1000;
const STACKS: Stack[] = ['monolith', 'microservices'];

/** The newest order of each stack spent at least the delay in 3_reserve_inventory: the fault acted in the database. */
async function slowStock(lab: LabHandle): Promise<CheckResult> {
  const seen: string[] = [];
  for (const stack of STACKS) {
    const [order] = await newestOrders(lab, stack, 1);
    if (!order) return fail(`The ${stack} has no order: check out there with stock_db_delay_ms on.`);
    const step = findStep(order, '3_reserve_inventory');
    if (!step || step.duration_ms < LEAST_DELAY_MS) {
      return fail(
        `The ${stack}'s newest order #${order.id} spent ${step?.duration_ms ?? 'no'} ms in 3_reserve_inventory, less than ` +
          `${LEAST_DELAY_MS}: check out while stock_db_delay_ms is at least ${LEAST_DELAY_MS}.`,
      );
    }
    seen.push(`the ${stack}'s order #${order.id} spent ${step.duration_ms} ms in 3_reserve_inventory`);
  }
  return pass(`${seen.join('; ')}: the delay is inside the reservation.`);
}

export const theFaultLab: Lesson = {
  id: 'the-fault-lab',
  title: 'The fault lab',
  anchor: 'the-fault-lab',
  stacks: ['monolith', 'microservices'],
  goal: 'Break one real part (a slow stock database) on both stacks and see where each design feels it.',
  steps: [
    {
      instructions: `Switch the fault stock_db_delay_ms on both stacks, to ${LEAST_DELAY_MS} or more (LESSONS.md tries 2000).`,
      uses: {
        view: 'Faults (as the lab admin)',
        command: 'curl -X PUT $M/api/lab/faults -d \'{"stock_db_delay_ms": 2000}\' (and on $G)',
      },
      async check(lab) {
        for (const stack of STACKS) {
          const value = Number((await faults(lab, stack)).stock_db_delay_ms ?? 0);
          if (value < LEAST_DELAY_MS)
            return fail(
              `stock_db_delay_ms is ${value} on the ${stack}: set it to ${LEAST_DELAY_MS} or more (PUT /api/lab/faults).`,
            );
        }
        return pass('stock_db_delay_ms is on for both stacks.');
      },
      hints: ['GET /api/lab/faults lists the catalog on each stack; PUT takes {"stock_db_delay_ms": 2000}.'],
      async solve(lab) {
        for (const stack of STACKS)
          await lab.expect(stack, 'PUT', '/api/lab/faults', { stock_db_delay_ms: LEAST_DELAY_MS });
      },
    },
    {
      instructions: "Check out once on each stack and read the order's steps: where did the delay go?",
      uses: {
        view: 'Storefronts (both panes)',
        command: 'curl -X POST $M/api/orders/checkout; curl -X POST $G/api/orders/checkout',
      },
      check: slowStock,
      hints: [
        'The monolith answers after the delay; the gateway answers 202 at once and product-service takes the delay later.',
        'GET /api/orders/:id: the step 3_reserve_inventory.',
      ],
      async solve(lab) {
        await lab.buyOnce('monolith', PRODUCT, 'slowstock');
        const answer = await lab.buyOnce('microservices', PRODUCT, 'slowstock');
        if (answer.status === 202) await lab.untilFinal('microservices', answer.body.id);
      },
    },
    {
      instructions:
        'Check out on the monolith again and run the check while it waits: it looks in pg_stat_activity for the ' +
        "checkout asleep inside PostgreSQL (SELECT pid, query FROM pg_stat_activity WHERE query LIKE '%pg_sleep%').",
      uses: {
        view: 'Internals ("PostgreSQL lock waits")',
        command: "psql: SELECT pid, query FROM pg_stat_activity WHERE query LIKE '%pg_sleep%'",
      },
      async check(lab) {
        const databases = STACKS.map((stack) => {
          const name = stack === 'monolith' ? 'monolith' : 'products';
          return lab.address.namePrefix ? `${lab.address.namePrefix}_${name}` : DATABASE_NAMES[name];
        });
        // Watches until a checkout sleeps in the database, or none is left in flight (with a cap for endless load).
        const cap = Date.now() + 60_000;
        while (Date.now() < cap) {
          const rows = await lab.query<{ pid: number; datname: string; query: string; in_transaction: boolean }>(
            'monolith',
            `SELECT pid, datname, left(query, 80) AS query, xact_start IS NOT NULL AS in_transaction FROM pg_stat_activity
              WHERE datname = ANY($1) AND pid <> pg_backend_pid() AND state <> 'idle'`,
            [databases],
          );
          const asleep = rows.find((row) => row.query.includes('pg_sleep'));
          if (asleep)
            return pass(
              `Backend ${asleep.pid} on ${asleep.datname} is running "${asleep.query}": the checkout is asleep inside PostgreSQL.`,
            );
          if (!rows.some((row) => row.in_transaction)) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return fail(
          'No checkout is asleep in pg_sleep now: start one with stock_db_delay_ms on, then check while it waits.',
        );
      },
      hints: [
        'The check sees the sleep only while it happens: check out first, then run the check at once.',
        'Is stock_db_delay_ms still on? GET /api/lab/faults.',
      ],
      async solve(lab) {
        lab.background(lab.buyOnce('monolith', PRODUCT, 'asleep'));
        await lab.until('a checkout asleep in PostgreSQL', async () => {
          const rows = await lab.query(
            'monolith',
            "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'",
          );
          return rows.length > 0 ? true : undefined;
        });
      },
    },
    {
      instructions: 'Put the faults back: POST /api/lab/faults/reset on both stacks.',
      uses: {
        view: 'Faults (reset, per stack)',
        command: 'curl -X POST $M/api/lab/faults/reset; curl -X POST $G/api/lab/faults/reset',
      },
      async check(lab) {
        const slow = await slowStock(lab);
        if (!slow.pass) return slow;
        for (const stack of STACKS) {
          const value = Number((await faults(lab, stack)).stock_db_delay_ms ?? 0);
          if (value !== 0)
            return fail(`stock_db_delay_ms is still ${value} on the ${stack}: POST /api/lab/faults/reset.`);
        }
        return pass('Every fault is off again on both stacks.');
      },
      hints: ['POST /api/lab/faults/reset turns every fault of that stack off.'],
      async solve(lab) {
        await lab.settle();
        for (const stack of STACKS) await lab.expect(stack, 'POST', '/api/lab/faults/reset');
      },
    },
  ],
};
