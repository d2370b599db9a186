import type { LabHandle } from '../lab-handle';
import { fail, type Lesson, pass } from '../lesson';
import { audit, brokerAway, describeAudit, describeOrder, faults, onceEach, outboxRows } from './shared';

// LESSON: The broker goes away (LESSONS.md#the-broker-goes-away)

const PRODUCT = 2;
const CHECKOUTS = 2;

interface GatewayHealth {
  status: string;
  services: Record<string, { status: string }>;
}

async function gatewayHealth(lab: LabHandle): Promise<{ code: number; body: GatewayHealth }> {
  const answer = await lab.request<GatewayHealth>(`${lab.address.gateway}/health`);
  return { code: answer.status, body: answer.body };
}

const notOk = (health: GatewayHealth) =>
  Object.entries(health.services ?? {})
    .filter(([, report]) => report.status !== 'ok')
    .map(([name, report]) => `${name} ${report.status}`);

export const theBrokerGoesAway: Lesson = {
  id: 'the-broker-goes-away',
  title: 'The broker goes away',
  anchor: 'the-broker-goes-away',
  stacks: ['microservices'],
  goal: 'Take the broker away from every service: the shop keeps accepting orders, the saga waits, and nothing is lost when it is back.',
  steps: [
    {
      instructions: "Switch broker_down on (the microservices only) and read the gateway's /health.",
      uses: {
        view: 'Faults (broker_down), the health dots in the header',
        command: 'curl -X PUT $G/api/lab/faults -d \'{"broker_down": true}\'; curl $G/health',
      },
      async check(lab) {
        const away = await brokerAway(lab);
        if (!away.pass) return away;
        const health = await gatewayHealth(lab);
        if (health.code !== 503 || health.body.status !== 'degraded') {
          return fail(
            `The gateway's /health answers ${health.code} "${health.body.status}": the services have not noticed yet; check again.`,
          );
        }
        return pass(`The gateway's /health is 503 degraded: ${notOk(health.body).join(', ')}.`);
      },
      hints: [
        'Each service closes its own AMQP connection and holds its reconnect loop; RabbitMQ itself keeps running.',
      ],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/faults', { broker_down: true });
        await lab.until('the gateway degraded', async () =>
          (await gatewayHealth(lab)).code === 503 ? true : undefined,
        );
      },
    },
    {
      instructions: `Check out ${CHECKOUTS} times on the gateway and poll the orders: each is a 202, and each stays pending.`,
      uses: { view: 'Storefronts (the Microservices pane)', command: 'curl -i -X POST $G/api/orders/checkout' },
      async check(lab) {
        const away = await brokerAway(lab);
        if (!away.pass) return fail(`${away.message} (the orders wait only while the broker is away.)`);
        const orders = await lab.orders('microservices');
        if (orders.length < CHECKOUTS)
          return fail(
            `The microservices have ${orders.length} order(s): check out ${CHECKOUTS} times with broker_down on.`,
          );
        const moved = orders.filter((order) => order.status !== 'pending');
        if (moved.length > 0)
          return fail(
            `${moved.map(describeOrder).join(', ')} moved on: were they accepted before broker_down? POST /api/lab/reset and start again.`,
          );
        for (const order of orders) {
          const rows = await outboxRows(lab, 'order.order.created', order.id);
          if (!rows.some((row) => row.sent_at === null))
            return fail(`Order #${order.id} is pending, but its order.order.created is not waiting in the outbox.`);
        }
        return pass(
          `${orders.length} orders accepted and pending, each with its order.order.created waiting in order-service's outbox.`,
        );
      },
      hints: ["The accept needs only order-service's database; the rest of the saga needs the broker."],
      async solve(lab) {
        for (let i = 0; i < CHECKOUTS; i++) await lab.buyOnce('microservices', PRODUCT, `away${i}`);
      },
    },
    {
      instructions:
        'Switch broker_down off: the services reconnect, the relays publish what waited, and every order turns confirmed.',
      uses: {
        view: 'Faults, then Storefronts',
        command: 'curl -X PUT $G/api/lab/faults -d \'{"broker_down": false}\'',
      },
      async check(lab) {
        if ((await faults(lab, 'microservices')).broker_down !== false)
          return fail('broker_down is still on: PUT /api/lab/faults {"broker_down": false}.');
        const orders = await lab.orders('microservices');
        if (orders.length < CHECKOUTS)
          return fail(`The microservices have ${orders.length} order(s): do step 2 first (${CHECKOUTS} checkouts).`);
        const open = orders.filter((order) => order.status !== 'confirmed');
        if (open.length > 0) return fail(`Not confirmed yet: ${open.map(describeOrder).join(', ')}; poll again.`);
        const truth = await audit(lab, 'microservices');
        for (const order of orders) {
          const entry = truth.orders.find((candidate) => candidate.id === order.id);
          if (!onceEach(entry)) return fail(`Order #${order.id} has ${describeAudit(entry)}: not one of each.`);
        }
        const health = await gatewayHealth(lab);
        if (health.code !== 200)
          return fail(`The gateway's /health still answers ${health.code}: ${notOk(health.body).join(', ')}.`);
        return pass(
          `Every order (${orders.length}) is confirmed, each charged and mailed once, and /health is ok again.`,
        );
      },
      hints: ['Nothing was only in memory: the events were outbox rows, unacked messages went back to their queues.'],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/faults', { broker_down: false });
        for (const order of await lab.orders('microservices')) await lab.untilFinal('microservices', order.id);
        await lab.until('the gateway healthy', async () =>
          (await gatewayHealth(lab)).code === 200 ? true : undefined,
        );
      },
    },
  ],
};
