import crypto from 'node:crypto';
import type { LabHandle } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import { describeOrder, killAndWait, newestOrders, orderEvents, processes } from './shared';

// LESSON: The gateway (LESSONS.md#the-gateway)

const PRODUCT = 2;
/** The service the lesson stops: the gateway's /health names it while it is down. */
const VICTIM = 'product-service';

interface GatewayHealth {
  status: string;
  services?: Record<string, { status: string; url: string }>;
}

/**
 * The newest order's x-request-id (order-service keeps it as the order's correlation_id) on its events in more than
 * one service's tables: one request, followed across the services.
 */
async function oneRequestAcrossServices(lab: LabHandle): Promise<CheckResult> {
  const [order] = await newestOrders(lab, 'microservices', 1);
  if (!order)
    return fail(
      'The microservices have no order: check out once through the gateway ($G/api/orders/checkout), sending ' +
        'your own -H "x-request-id: my-checkout-1" or reading the one the gateway answers with (curl -i).',
    );
  if (order.status !== 'confirmed')
    return fail(`The newest order is ${describeOrder(order)}: poll it until it is confirmed, then look again.`);
  const [row] = await lab.query<{ correlation_id: string }>(
    'orders',
    'SELECT correlation_id FROM orders WHERE id = $1',
    [order.id],
  );
  const requestId = row.correlation_id;
  const events = (await orderEvents(lab, order.id)).filter((event) => event.correlation_id === requestId);
  const services = [...new Set(events.map((event) => event.service))];
  if (services.length < 2)
    return fail(
      `Order #${order.id}'s x-request-id ${requestId} is on ${events.length} event(s) of ` +
        `${services.join(', ') || 'no service'}: ` +
        'expected the events of order-service and of payment-service (their outbox tables) to carry it.',
    );
  // payment-service remembers every event it handled (processed_events): order-service's request for this payment.
  const requested = events.find((event) => event.type === 'order.payment.requested');
  const handled = requested
    ? await lab.query<{ consumer: string }>('payments', 'SELECT consumer FROM processed_events WHERE event_id = $1', [
        requested.id,
      ])
    : [];
  if (!requested || handled.length === 0)
    return fail(
      `Order #${order.id}: payment-service's processed_events holds no order.payment.requested of x-request-id ` +
        `${requestId}: was the order paid through the saga?`,
    );
  const door = await lab.api('microservices', 'GET', '/api/orders', { token: null });
  if (door.status !== 401)
    return fail(`GET /api/orders on the gateway without a token answered ${door.status}, not 401: the door is open.`);
  const perService = services
    .map((service) => `${events.filter((event) => event.service === service).length} in ${service}'s outbox`)
    .join(', ');
  return pass(
    `Order #${order.id}: the gateway's x-request-id ${requestId} is the correlation_id of ${events.length} events ` +
      `(${perService}), and payment-service's processed_events recorded order-service's order.payment.requested ` +
      `(consumer ${handled[0].consumer}): one request, seen in every service it went through. Without a token, ` +
      'GET /api/orders is 401 at the gateway.',
  );
}

export const theGateway: Lesson = {
  id: 'the-gateway',
  title: 'The gateway',
  anchor: 'the-gateway',
  stacks: ['microservices'],
  goal:
    "Follow one request through the gateway into every service's tables by its x-request-id, and see the gateway's " +
    '/health name a service that is down.',
  steps: [
    {
      instructions:
        'Check out once through the gateway with your own request id (-H "x-request-id: my-checkout-1"), poll the ' +
        "order until it is confirmed, then find that id as correlation_id on the order's events in order-service's " +
        "and payment-service's outbox tables (and payment-service's processed_events).",
      uses: {
        view: 'Storefronts (the Microservices pane)',
        command:
          'curl -i -X POST $G/api/orders/checkout -H "$AUTH" -H \'x-request-id: my-checkout-1\'; ' +
          'psql -d checkout_payments ' +
          '-c "SELECT type, payload->>\'correlation_id\' FROM outbox"',
      },
      check: oneRequestAcrossServices,
      hints: [
        'The gateway keeps a sane x-request-id a client sends (or makes one), passes it on and answers with it.',
        "order-service keeps it as the order's correlation_id and puts it on every event; each next event copies it.",
        'psql -d checkout_orders -c "SELECT type, payload->>\'correlation_id\' FROM outbox", and the same in ' +
          'checkout_payments and checkout_emails.',
      ],
      async solve(lab) {
        const token = await lab.buyer('microservices', 'gateway');
        const added = await lab.api('microservices', 'POST', '/api/cart/items', {
          token,
          body: { product_id: PRODUCT, quantity: 1 },
        });
        if (added.status !== 201) throw new Error(`adding product ${PRODUCT} to the cart answered ${added.status}`);
        const requestId = `lesson-gateway-${crypto.randomBytes(4).toString('hex')}`;
        const answer = await lab.api<{ id: number }>('microservices', 'POST', '/api/orders/checkout', {
          token,
          headers: { 'x-request-id': requestId },
        });
        if (answer.status !== 202) throw new Error(`the checkout answered ${answer.status}`);
        if (answer.headers.get('x-request-id') !== requestId)
          throw new Error(`the gateway answered x-request-id ${answer.headers.get('x-request-id')}, not ${requestId}`);
        await lab.untilFinal('microservices', answer.body.id);
      },
    },
    {
      instructions:
        `Kill ${VICTIM} through the dashboard (log in as the lab admin) and call $G/health at once: 503, ` +
        `naming ${VICTIM} "down". The launcher starts it again; /health turns 200 and the process table counts ` +
        'the restart.',
      uses: {
        view: 'Internals → Processes (Kill), and the health dots in the header',
        command: `curl -b /tmp/lab.jar -X POST $D/api/lab/processes/${VICTIM}/kill; curl -s $G/health`,
      },
      async check(lab) {
        const entry = (await processes(lab)).find((candidate) => candidate.name === VICTIM);
        if (!entry) return fail(`The dashboard lists no process ${VICTIM}: was the lab started with npm start?`);
        if (entry.restarts === 0)
          return fail(
            `${VICTIM} has never restarted (restarts 0): kill it (POST /api/lab/processes/${VICTIM}/kill on the ` +
              'dashboard) and call $G/health while it is down.',
          );
        if (entry.status !== 'running')
          return fail(`${VICTIM} is ${entry.status}: wait until the launcher has it running again.`);
        const health = await lab.request<GatewayHealth>(`${lab.address.gateway}/health`);
        const seen = health.body.services?.[VICTIM]?.status ?? 'missing';
        if (health.status !== 200 || seen !== 'ok')
          return fail(
            `The gateway's /health answers ${health.status} with ${VICTIM} ${seen}: it is starting again; ` +
              'check once more.',
          );
        return pass(
          `${VICTIM} restarted ${entry.restarts} time(s) (pid ${entry.pid} now), and the gateway's /health answers ` +
            `200 with ${VICTIM} ok again: it asks every service on every call, so it says what is down now.`,
        );
      },
      hints: [
        'The kill is a change: log in at the top right of the dashboard (or POST /api/session) first.',
        `Be quick: the launcher restarts ${VICTIM} within a few seconds. Browse $G/api/products meanwhile: 503.`,
      ],
      async solve(lab) {
        await killAndWait(lab, VICTIM);
        await lab.until('the gateway healthy again', async () => {
          const health = await lab.request(`${lab.address.gateway}/health`);
          return health.status === 200 ? true : undefined;
        });
      },
    },
  ],
};
