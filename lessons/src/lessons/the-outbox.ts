import { fail, type Lesson, pass } from '../lesson';
import { audit, brokerAway, describeAudit, describeOrder, faults, newestOrders, onceEach, outboxRows } from './shared';

// LESSON: The outbox (LESSONS.md#the-outbox)

const PRODUCT = 2;

export const theOutbox: Lesson = {
  id: 'the-outbox',
  title: 'The outbox',
  anchor: 'the-outbox',
  stacks: ['microservices'],
  goal: "See an accepted order's event wait as a row of order-service's outbox while the broker is away, and go out once it is back.",
  steps: [
    {
      instructions:
        'Take the broker away from the services. LESSONS.md stops RabbitMQ (rabbitmqctl stop_app); the lab shares it, ' +
        'so switch the fault broker_down on instead: each service drops its connection as if the broker had gone.',
      uses: {
        view: 'Faults (broker_down, microservices)',
        command: 'curl -X PUT $G/api/lab/faults -d \'{"broker_down": true}\'',
      },
      check: brokerAway,
      hints: ['GET /api/lab/faults on the gateway lists broker_down; PUT takes {"broker_down": true}.'],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/faults', { broker_down: true });
      },
    },
    {
      instructions:
        'Check out on the gateway (still 202) and look at the outbox: ' +
        "psql -d checkout_orders -c 'SELECT type, created_at, sent_at, attempts FROM outbox WHERE sent_at IS NULL'.",
      uses: {
        view: 'Storefronts (the Microservices pane)',
        command:
          "curl -X POST $G/api/orders/checkout; psql -d checkout_orders -c 'SELECT type, sent_at FROM outbox WHERE sent_at IS NULL'",
      },
      async check(lab) {
        const away = await brokerAway(lab);
        if (!away.pass) return fail(`${away.message} (the event waits only while the broker is away.)`);
        const [order] = await newestOrders(lab, 'microservices', 1);
        if (!order) return fail('The microservices have no order: check out on the gateway while broker_down is on.');
        const rows = await outboxRows(lab, 'order.order.created', order.id);
        if (rows.length === 0) return fail(`Order #${order.id} has no order.order.created row in the outbox.`);
        if (rows.every((row) => row.sent_at !== null)) {
          return fail(
            `Order #${order.id} (${order.status}): its order.order.created was sent already: was the broker away at its checkout?`,
          );
        }
        return pass(
          `Order #${order.id} is ${order.status}, and its order.order.created waits in the outbox with sent_at empty: accepted, not lost.`,
        );
      },
      hints: [
        "The accept needs only order-service's own database: the answer is still 202.",
        'The event is a row of the same transaction as the order; the relay sends it when it can.',
      ],
      async solve(lab) {
        await lab.buyOnce('microservices', PRODUCT, 'outbox');
      },
    },
    {
      instructions:
        'Give the broker back (broker_down off) and poll the order: the relay publishes what waited and the order goes on to confirmed.',
      uses: {
        view: 'Faults, then Storefronts',
        command: 'curl -X PUT $G/api/lab/faults -d \'{"broker_down": false}\'; curl $G/api/orders/<id>',
      },
      async check(lab) {
        if ((await faults(lab, 'microservices')).broker_down !== false)
          return fail('broker_down is still on: PUT /api/lab/faults {"broker_down": false}.');
        const [order] = await newestOrders(lab, 'microservices', 1);
        if (!order) return fail('The microservices have no order: do steps 1 and 2 first.');
        const unsent = await lab.query<{ count: number }>(
          'orders',
          'SELECT count(*)::int AS count FROM outbox WHERE sent_at IS NULL',
        );
        if (unsent[0].count > 0)
          return fail(`${unsent[0].count} outbox row(s) still unsent: the relay has not caught up yet; check again.`);
        if (order.status !== 'confirmed')
          return fail(`The newest order is ${describeOrder(order)}: poll it until it is confirmed.`);
        const entry = (await audit(lab, 'microservices')).orders.find((candidate) => candidate.id === order.id);
        if (!onceEach(entry)) {
          return fail(`Order #${order.id} has ${describeAudit(entry)} in the audit: not one payment and one email.`);
        }
        return pass(
          `The outbox is empty and order #${order.id} is confirmed, with ${describeAudit(entry)}: nothing lost.`,
        );
      },
      hints: ['The services reconnect at once; the relay marks a row sent only after the broker confirmed it.'],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/faults', { broker_down: false });
        const [order] = await newestOrders(lab, 'microservices', 1);
        if (order) await lab.untilFinal('microservices', order.id);
      },
    },
  ],
};
