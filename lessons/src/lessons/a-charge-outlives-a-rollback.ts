import type { LabHandle } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass, type Stack } from '../lesson';
import { describeOrder, faults, newestOrders, redriveUntilFinal } from './shared';

// LESSON: A charge outlives a rollback (LESSONS.md#a-charge-outlives-a-rollback)

const PRODUCT = 6;

interface Audit {
  orders: { id: number; provider_charges: number }[];
  orphan_charges: { provider_charge_id: string; order_ref: string; amount: string }[];
}
interface Charge {
  id: string;
  order_ref: string;
  status: string;
}

const audit = (lab: LabHandle, stack: Stack) => lab.expect<Audit>(stack, 'GET', '/api/lab/audit');

/** The monolith's audit lists an orphan, and the provider's own ledger holds it succeeded. */
async function monolithOrphan(lab: LabHandle): Promise<CheckResult> {
  const { orphan_charges: orphans } = await audit(lab, 'monolith');
  if (orphans.length === 0) {
    return fail(
      "The monolith's audit lists no orphan charge: with smtp_down on, check out once on the monolith (503 EMAIL_FAILED).",
    );
  }
  const merchant = lab.address.namePrefix ? `${lab.address.namePrefix}_monolith` : 'monolith';
  const ledger = await lab.request<{ charges: Charge[] }>(
    `${lab.address.paymentProvider}/v1/charges?merchant=${merchant}`,
  );
  const orphan = orphans[orphans.length - 1];
  const charge = ledger.body.charges.find((candidate) => candidate.id === orphan.provider_charge_id);
  if (charge?.status !== 'succeeded') {
    return fail(
      `The provider's ledger has charge ${orphan.provider_charge_id} as ${charge?.status ?? 'missing'}, not succeeded.`,
    );
  }
  return pass(
    `The provider holds charge ${charge.id} (${orphan.amount}) succeeded for order_ref ${charge.order_ref}, an order the monolith rolled back.`,
  );
}

/** The microservices' newest order exists and is charged once, and their audit has no orphan. */
async function microservicesKeptIt(lab: LabHandle, final: boolean): Promise<CheckResult> {
  const [order] = await newestOrders(lab, 'microservices', 1);
  if (!order) return fail('The microservices have no order: check out on the gateway with smtp_down on there too.');
  const seen = await audit(lab, 'microservices');
  if (seen.orphan_charges.length > 0)
    return fail(`The microservices' audit lists ${seen.orphan_charges.length} orphan charge(s).`);
  const charges = seen.orders.find((row) => row.id === order.id)?.provider_charges ?? 0;
  if (charges !== 1)
    return fail(`Order #${order.id} (${order.status}) has ${charges} charges at the provider: wait until it is paid.`);
  if (final && order.status !== 'confirmed') {
    return fail(
      `Order #${order.id} is ${describeOrder(order)}: clear the fault, redrive its email (Dead letters), poll it.`,
    );
  }
  return pass(
    `Order #${order.id} is ${order.status}, charged once, and the microservices' audit has no orphan: the order existed before the charge.`,
  );
}

export const aChargeOutlivesARollback: Lesson = {
  id: 'a-charge-outlives-a-rollback',
  title: 'A charge outlives a rollback',
  anchor: 'a-charge-outlives-a-rollback',
  stacks: ['monolith', 'microservices'],
  goal: "See the provider keep a charge the monolith's ROLLBACK cannot reach, and the microservices charge only an order that exists.",
  steps: [
    {
      instructions: `With smtp_down on for the monolith, check out product ${PRODUCT} there once; read the audit and the provider's ledger.`,
      uses: {
        view: 'Faults, then Storefronts',
        command: 'curl $M/api/lab/audit | jq .orphan_charges; curl http://localhost:8007/v1/charges?merchant=monolith',
      },
      check: monolithOrphan,
      hints: [
        'PUT /api/lab/faults {"smtp_down": true} on the monolith first.',
        'The checkout answers 503 EMAIL_FAILED after the payment: the provider already took the money.',
      ],
      async solve(lab) {
        await lab.expect('monolith', 'PUT', '/api/lab/faults', { smtp_down: true });
        await lab.buyOnce('monolith', PRODUCT, 'orphaned');
      },
    },
    {
      instructions: 'Do the same on the microservices: smtp_down on the gateway, check out, and read their audit.',
      uses: { view: 'Faults, then Storefronts', command: 'curl $G/api/lab/audit' },
      check: (lab) => microservicesKeptIt(lab, false),
      hints: [
        'The gateway answers 202; the order is paid while its email waits.',
        'GET /api/lab/audit on the gateway: orders[].provider_charges.',
      ],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/faults', { smtp_down: true });
        const answer = await lab.buyOnce('microservices', PRODUCT, 'kept');
        await lab.until('the order paid', async () => {
          const order = await lab.order('microservices', answer.body.id);
          return order.status === 'paid' || order.status === 'confirmed' ? true : undefined;
        });
      },
    },
    {
      instructions:
        'Clear the faults on both stacks; redrive the email if it reached the dead letters; the order turns confirmed.',
      uses: {
        view: 'Faults (reset both), Dead letters',
        command: 'curl -X POST $M/api/lab/faults/reset; curl -X POST $G/api/lab/faults/reset',
      },
      async check(lab) {
        for (const stack of ['monolith', 'microservices'] as const) {
          if ((await faults(lab, stack)).smtp_down !== false) return fail(`smtp_down is still on for the ${stack}.`);
        }
        const orphan = await monolithOrphan(lab);
        if (!orphan.pass) return orphan;
        return microservicesKeptIt(lab, true);
      },
      hints: [
        'POST /api/lab/faults/reset on each stack.',
        'POST /api/lab/dead-letters/redrive on the gateway, then poll the order.',
      ],
      async solve(lab) {
        await lab.expect('monolith', 'POST', '/api/lab/faults/reset');
        await lab.expect('microservices', 'POST', '/api/lab/faults/reset');
        const [order] = await newestOrders(lab, 'microservices', 1);
        if (!order) return;
        await redriveUntilFinal(lab, order.id);
      },
    },
  ],
};
