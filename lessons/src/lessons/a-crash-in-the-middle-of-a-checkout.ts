import { type LabHandle, LabNotRunning } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass, type Stack } from '../lesson';
import { audit, describeAudit, describeOrder, faults, newestOrders, onceEach, processes } from './shared';

// LESSON: A crash in the middle of a checkout (LESSONS.md#a-crash-in-the-middle-of-a-checkout)

const PRODUCT = 3;

/** The process has been restarted by the launcher and runs again, and the crash point is "none" again. */
async function restarted(lab: LabHandle, stack: Stack, name: string): Promise<CheckResult | null> {
  const entry = (await processes(lab)).find((candidate) => candidate.name === name);
  if (!entry) return fail(`The dashboard lists no process ${name}: was the lab started with npm start?`);
  if (entry.restarts === 0) return fail(`${name} has never restarted: arm the crash point, then check out.`);
  if (entry.status !== 'running') return fail(`${name} is ${entry.status}: wait until the launcher has it running.`);
  const crash = (await faults(lab, stack)).crash;
  if (crash !== 'none') return fail(`The ${stack}'s crash point is still "${crash}": check out to reach it.`);
  return null;
}

/** Waits until the process named runs again with more restarts than before (the crash fired and it came back). */
async function untilRestarted(lab: LabHandle, name: string, before: number): Promise<void> {
  await lab.until(`${name} restarted`, async () => {
    const entry = (await processes(lab)).find((candidate) => candidate.name === name);
    return entry && entry.restarts > before && entry.status === 'running' ? true : undefined;
  });
}

const restartsOf = async (lab: LabHandle, name: string) =>
  (await processes(lab)).find((candidate) => candidate.name === name)?.restarts ?? 0;

/** A microservices checkout whose process died at the crash point ended confirmed, charged once and mailed once. */
async function survived(lab: LabHandle, name: string): Promise<CheckResult> {
  const down = await restarted(lab, 'microservices', name);
  if (down) return down;
  const [order] = await newestOrders(lab, 'microservices', 1);
  if (!order) return fail('The microservices have no order: check out on the gateway with the crash point armed.');
  if (order.status !== 'confirmed')
    return fail(`The newest order is ${describeOrder(order)}: poll it until it is confirmed.`);
  const entry = (await audit(lab, 'microservices')).orders.find((candidate) => candidate.id === order.id);
  if (!onceEach(entry)) return fail(`Order #${order.id} has ${describeAudit(entry)}: not one of each.`);
  return pass(`${name} died and came back; order #${order.id} is confirmed with ${describeAudit(entry)}.`);
}

/** Arms a microservices crash point, checks out, and waits for the restart and the order. */
async function crashMicroservices(lab: LabHandle, point: string, name: string): Promise<void> {
  const before = await restartsOf(lab, name);
  await lab.expect('microservices', 'PUT', '/api/lab/faults', { crash: point });
  const answer = await lab.buyOnce('microservices', PRODUCT, 'crash');
  await untilRestarted(lab, name, before);
  if (answer.status === 202) await lab.untilFinal('microservices', answer.body.id);
}

interface MyOrder {
  id: number;
  items: { product_id: number }[];
}

export const aCrashInTheMiddleOfACheckout: Lesson = {
  id: 'a-crash-in-the-middle-of-a-checkout',
  title: 'A crash in the middle of a checkout',
  anchor: 'a-crash-in-the-middle-of-a-checkout',
  stacks: ['monolith', 'microservices'],
  goal: 'Kill each stack at the worst moment of a checkout: the monolith loses the order and keeps the charge; the microservices finish it once.',
  steps: [
    {
      instructions:
        `Arm the monolith's crash point mid_checkout, put product ${PRODUCT} in your cart (the admin's) and check out: no answer at all. ` +
        'Once the monolith is back, read your orders, your cart and the audit.',
      uses: {
        view: 'Faults (crash, monolith), then Internals → Processes',
        command:
          'curl -X PUT $M/api/lab/faults -d \'{"crash": "mid_checkout"}\'; curl -X POST $M/api/orders/checkout; curl $M/api/lab/audit',
      },
      async check(lab) {
        let down: CheckResult | null;
        try {
          down = await restarted(lab, 'monolith', 'monolith');
        } catch (error) {
          if (error instanceof LabNotRunning)
            return fail('The monolith does not answer yet: it is restarting; check again.');
          throw error;
        }
        if (down) return down;
        const { orphan_charges: orphans = [] } = await audit(lab, 'monolith');
        if (orphans.length === 0)
          return fail(
            'The audit lists no orphan charge: no checkout died after its payment. Arm mid_checkout and check out.',
          );
        const mine = await lab.expect<MyOrder[]>('monolith', 'GET', '/api/orders');
        if (mine.some((order) => order.items.some((item) => item.product_id === PRODUCT)))
          return fail(`You have an order of product ${PRODUCT}: the crashed checkout should have kept none.`);
        const cart = await lab.expect<{ items: { product_id: number }[] }>('monolith', 'GET', '/api/cart');
        if (!cart.items.some((item) => item.product_id === PRODUCT))
          return fail(`Your cart does not hold product ${PRODUCT}: fill it before the checkout that crashes.`);
        const last = orphans[orphans.length - 1];
        return pass(
          `The monolith died mid-checkout and came back: no order, your cart still full, and the provider keeps ${last.amount} ` +
            `for order_ref ${last.order_ref} (orphan_charges).`,
        );
      },
      hints: [
        'curl says "Empty reply from server": the process killed itself between step 6 and step 9.',
        'Until the launcher has it back, every request to the monolith fails.',
        'GET /api/lab/audit: orphan_charges.',
      ],
      async solve(lab) {
        const before = await restartsOf(lab, 'monolith');
        await lab.expect('monolith', 'PUT', '/api/lab/faults', { crash: 'mid_checkout' });
        await lab.expect('monolith', 'POST', '/api/cart/items', { product_id: PRODUCT, quantity: 1 });
        await lab.api('monolith', 'POST', '/api/orders/checkout').catch(() => undefined);
        await untilRestarted(lab, 'monolith', before);
        await lab.until('the monolith answering', async () =>
          (await lab.request(`${lab.address.monolith}/health`).catch(() => null))?.status === 200 ? true : undefined,
        );
      },
    },
    {
      instructions:
        'Arm after_effect_before_ack on the gateway and check out there: payment-service dies after its charge committed, ' +
        'before the ack. Poll the order.',
      uses: {
        view: 'Faults (crash, microservices), then Storefronts',
        command:
          'curl -X PUT $G/api/lab/faults -d \'{"crash": "after_effect_before_ack"}\'; curl -X POST $G/api/orders/checkout',
      },
      check: (lab) => survived(lab, 'payment-service'),
      hints: [
        'The 202 comes at once; payment-service dies, the launcher restarts it, the broker redelivers the message.',
        'The idempotent consumer finds the event id in processed_events: one charge.',
      ],
      solve: (lab) => crashMicroservices(lab, 'after_effect_before_ack', 'payment-service'),
    },
    {
      instructions:
        'Arm after_commit_before_publish and check out again: order-service dies with the order committed and its event ' +
        'not yet published. Poll the order.',
      uses: {
        view: 'Faults (crash, microservices), then Storefronts',
        command:
          'curl -X PUT $G/api/lab/faults -d \'{"crash": "after_commit_before_publish"}\'; curl -X POST $G/api/orders/checkout',
      },
      check: (lab) => survived(lab, 'order-service'),
      hints: [
        'The event is a row of the outbox: after the restart the relay finds it unsent and publishes it.',
        'GET /api/lab/faults says "crash": "none" again: a crash point fires once.',
      ],
      solve: (lab) => crashMicroservices(lab, 'after_commit_before_publish', 'order-service'),
    },
  ],
};
