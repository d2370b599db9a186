import type { LabHandle } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import { describeOrder, faults, newestOrders, outboxRows, patterns } from './shared';

// LESSON: Switch off the outbox (LESSONS.md#switch-off-the-outbox)

const PRODUCT = 2;

/** The newest pending order has no outbox row and the broker is back: its order.order.created is gone. */
async function lostOrder(lab: LabHandle) {
  const pending = (await lab.orders('microservices')).filter((order) => order.status === 'pending');
  for (const order of pending.reverse()) {
    if ((await outboxRows(lab, 'order.order.created', order.id)).length === 0) return order;
  }
  return undefined;
}

async function lost(lab: LabHandle): Promise<CheckResult> {
  if ((await faults(lab, 'microservices')).broker_down !== false)
    return fail('broker_down is still on: switch it off (PUT /api/lab/faults {"broker_down": false}) and look again.');
  const order = await lostOrder(lab);
  if (!order) {
    const [newest] = await newestOrders(lab, 'microservices', 1);
    return fail(
      newest
        ? `No pending order without an outbox row; the newest is ${describeOrder(newest)}. Check out with the outbox off and broker_down on.`
        : 'The microservices have no order: check out with the outbox off and broker_down on.',
    );
  }
  return pass(
    `Order #${order.id} is pending with no order.order.created in the outbox: its event was published after COMMIT to a broker that was away, and is lost.`,
  );
}

export const switchOffTheOutbox: Lesson = {
  id: 'switch-off-the-outbox',
  title: 'Switch off the outbox',
  anchor: 'switch-off-the-outbox',
  stacks: ['microservices'],
  goal: 'See commit-then-publish lose an accepted order when the broker is away at the wrong moment: it stays pending for ever.',
  steps: [
    {
      instructions: 'Switch the outbox off and take the broker away from the services (broker_down on).',
      uses: {
        view: 'Faults (the Outbox switch, broker_down)',
        command:
          'curl -X PUT $G/api/lab/patterns -d \'{"outbox": false}\'; curl -X PUT $G/api/lab/faults -d \'{"broker_down": true}\'',
      },
      async check(lab) {
        if ((await patterns(lab)).outbox !== false)
          return fail('The pattern outbox is on: PUT /api/lab/patterns {"outbox": false} on the gateway.');
        if ((await faults(lab, 'microservices')).broker_down !== true)
          return fail('broker_down is off: PUT /api/lab/faults {"broker_down": true} on the gateway.');
        return pass('The outbox is off and the broker is away: order-service will publish after COMMIT, into nothing.');
      },
      hints: ['Two PUTs on the gateway: /api/lab/patterns and /api/lab/faults.'],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/patterns', { outbox: false });
        await lab.expect('microservices', 'PUT', '/api/lab/faults', { broker_down: true });
      },
    },
    {
      instructions:
        'Check out on the gateway (202, as always), then bring the broker back (broker_down off) and look at the outbox and the order.',
      uses: {
        view: 'Storefronts, then Faults',
        command:
          'curl -X POST $G/api/orders/checkout; curl -X PUT $G/api/lab/faults -d \'{"broker_down": false}\'; ' +
          "psql -d checkout_orders -c 'SELECT count(*) FROM outbox WHERE sent_at IS NULL'",
      },
      check: lost,
      hints: [
        'order-service logs "outbox off: the publish after COMMIT failed; the event is lost".',
        'No row waits in the outbox: nothing says the event was ever due.',
      ],
      async solve(lab) {
        await lab.buyOnce('microservices', PRODUCT, 'lost');
        await lab.expect('microservices', 'PUT', '/api/lab/faults', { broker_down: false });
      },
    },
    {
      instructions:
        'Switch the outbox back on and check out once more: the new order is confirmed, the lost one stays pending (the verdict counts it stuck).',
      uses: {
        view: 'Faults (the Outbox switch), then Storefronts',
        command: 'curl -X PUT $G/api/lab/patterns -d \'{"outbox": true}\'; curl -X POST $G/api/orders/checkout',
      },
      async check(lab) {
        const seen = await lost(lab);
        if (!seen.pass) return seen;
        if ((await patterns(lab)).outbox !== true)
          return fail('The pattern outbox is still off: PUT /api/lab/patterns {"outbox": true} on the gateway.');
        const stuck = await lostOrder(lab);
        const [newest] = await newestOrders(lab, 'microservices', 1);
        if (!stuck || !newest || newest.id <= stuck.id || newest.status !== 'confirmed') {
          return fail(
            `The newest order is ${newest ? describeOrder(newest) : 'none'}: check out once more after the outbox is back on, and poll it until it is confirmed.`,
          );
        }
        return pass(
          `Order #${newest.id}, accepted after it, is confirmed; order #${stuck.id} is still pending: nothing will ever publish its event.`,
        );
      },
      hints: ['The same PUT /api/lab/patterns with true, then a new cart and a checkout.'],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/patterns', { outbox: true });
        const answer = await lab.buyOnce('microservices', PRODUCT, 'after');
        if (answer.status === 202) await lab.untilFinal('microservices', answer.body.id);
      },
    },
  ],
};
