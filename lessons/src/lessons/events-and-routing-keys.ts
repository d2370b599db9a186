import type { DATABASE_NAMES } from '@checkout-lab/kit';
import type { LabHandle, Order } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import { checkOutAndWait, describeOrder, newestOrders, type OutboxEvent, orderEvents } from './shared';

// LESSON: Events and routing keys (LESSONS.md#events-and-routing-keys)

const PRODUCT = 2;

/** The database each consuming service records the events it handled in (processed_events). */
const CONSUMER_DATABASES: Record<string, keyof typeof DATABASE_NAMES> = {
  'order-service': 'orders',
  'product-service': 'products',
  'cart-service': 'carts',
  'payment-service': 'payments',
  'email-service': 'emails',
};

/** A queue as the dashboard's GET /api/internals shows it ("RabbitMQ queues"). */
interface QueueState {
  service: string;
  purpose: string;
  name: string;
  exists: boolean;
  messages: number;
  consumers: number;
  dead_letter: boolean;
}

interface Chain {
  order: Order;
  correlationId: string;
  /** The order's events, each caused by the one before it (the first by the checkout request). */
  events: OutboxEvent[];
}

/** The newest order's events: one correlation id, routing keys named after their publisher, one causal chain. */
async function checkoutChain(lab: LabHandle): Promise<Chain | CheckResult> {
  const [order] = await newestOrders(lab, 'microservices', 1);
  if (!order) return fail('The microservices have no order: check out once through the gateway and poll it.');
  if (order.status !== 'confirmed')
    return fail(`The newest order is ${describeOrder(order)}: poll it until it is confirmed.`);
  const events = await orderEvents(lab, order.id);
  const ids = [...new Set(events.map((event) => event.correlation_id))];
  if (events.length === 0 || ids.length !== 1)
    return fail(
      `Order #${order.id} has ${events.length} event(s) in the outboxes with ${ids.length} correlation id(s) ` +
        `(${ids.join(', ')}): one checkout should give events that all carry its x-request-id.`,
    );
  const misnamed = events.filter((event) => !event.service.startsWith(`${event.type.split('.')[0]}-`));
  if (misnamed.length > 0)
    return fail(
      `Routing keys that do not name their publisher: ${misnamed
        .map((event) => `${event.type} from ${event.service}`)
        .join(', ')}.`,
    );
  const chain: OutboxEvent[] = [];
  let cause = ids[0];
  for (;;) {
    const next = events.find((event) => event.causation_id === cause && !chain.includes(event));
    if (!next) break;
    chain.push(next);
    cause = next.id;
  }
  if (chain.length !== events.length)
    return fail(
      `Order #${order.id}: only ${chain.length} of its ${events.length} events follow each other by causation_id ` +
        `(${chain.map((event) => event.type).join(' → ')}).`,
    );
  const unsent = events.filter((event) => event.sent_at === null);
  if (unsent.length > 0)
    return fail(`Order #${order.id}: ${unsent.map((event) => event.type).join(', ')} not sent yet; check again.`);
  return { order, correlationId: ids[0], events: chain };
}

async function oneChain(lab: LabHandle): Promise<CheckResult> {
  const chain = await checkoutChain(lab);
  if ('pass' in chain) return chain;
  return pass(
    `Order #${chain.order.id}: ${chain.events.length} events, all with correlation_id ${chain.correlationId}, ` +
      `each caused by the one before: ${chain.events.map((event) => `${event.type} (${event.service})`).join(' → ')}.`,
  );
}

export const eventsAndRoutingKeys: Lesson = {
  id: 'events-and-routing-keys',
  title: 'Events and routing keys',
  anchor: 'events-and-routing-keys',
  stacks: ['microservices'],
  goal:
    "Follow one checkout's events by their correlation_id through four services, and find the queue, named " +
    '<service>.<routing key>, that carried each to its consumer.',
  steps: [
    {
      instructions:
        `Check out one of product ${PRODUCT} through the gateway and poll it until it is confirmed. Then list its ` +
        "events in the services' outboxes (checkout_orders, checkout_products, checkout_payments, checkout_emails): " +
        'routing keys <service>.<entity>.<event>, one correlation_id, each caused (causation_id) by the one before.',
      uses: {
        view: 'Storefronts (the Microservices pane)',
        command:
          'psql -U postgres -d checkout_orders -c "SELECT type, ' +
          "payload->>'correlation_id', payload->>'causation_id' " +
          'FROM outbox ORDER BY created_at"',
      },
      check: oneChain,
      hints: [
        'The first event, order.order.created, is caused by the checkout request itself: its x-request-id.',
        'Each consumer builds its event with followEvent(cause, ...): the same correlation_id, and causation_id is ' +
          'the id of the cause.',
      ],
      async solve(lab) {
        await checkOutAndWait(lab, PRODUCT, 1, 'events');
      },
    },
    {
      instructions:
        'Open Internals, "RabbitMQ queues" (or rabbitmqctl list_queues name messages consumers): each routing key ' +
        "of the checkout has one queue per consumer, <service>.<routing key>, with its consumer; each consumer's " +
        'processed_events holds the event it took from that queue.',
      uses: { view: 'Internals ("RabbitMQ queues")', command: 'curl -s $D/api/internals' },
      async check(lab) {
        const chain = await checkoutChain(lab);
        if ('pass' in chain) return chain;
        const internals = await lab.request<{
          rabbit_prefix: string;
          rabbit_error: string | null;
          queues: QueueState[];
        }>(`${lab.address.dashboard}/api/internals`);
        if (internals.status !== 200 || internals.body.rabbit_error)
          return fail(
            `The dashboard's GET /api/internals answered ${internals.status} ` +
              `(${internals.body.rabbit_error ?? 'no error'}): is RabbitMQ up?`,
          );
        const prefix = internals.body.rabbit_prefix;
        const routes: string[] = [];
        for (const event of chain.events) {
          const queues = internals.body.queues.filter((queue) => !queue.dead_letter && queue.purpose === event.type);
          if (queues.length === 0) {
            routes.push(`${event.type} → no queue (nobody consumes it)`);
            continue;
          }
          for (const queue of queues) {
            const expected = `${prefix}${queue.service}.${event.type}`;
            if (queue.name !== expected || !queue.exists || queue.consumers < 1)
              return fail(
                `The queue ${queue.name} (expected ${expected}) ${queue.exists ? 'exists' : 'does not exist'} with ` +
                  `${queue.consumers} consumer(s): ${queue.service} should consume ${event.type} from it.`,
              );
            const database = CONSUMER_DATABASES[queue.service];
            const handled = database
              ? await lab.query(database, 'SELECT 1 FROM processed_events WHERE event_id = $1 AND consumer = $2', [
                  event.id,
                  queue.name,
                ])
              : [];
            if (handled.length === 0)
              return fail(
                `${queue.service}'s processed_events has no ${event.type} ${event.id} from ${queue.name}: ` +
                  'did it consume the event?',
              );
            routes.push(`${event.type} → ${queue.name} (${queue.consumers} consumer(s), ${queue.messages} waiting)`);
          }
        }
        const dlqs = internals.body.queues.filter((queue) => queue.dead_letter && queue.exists).length;
        return pass(
          `Order #${chain.order.id}'s events, each to its consumers' own queues, recorded in their processed_events: ` +
            `${routes.join('; ')}. Plus ${dlqs} dead-letter queues, one per consuming service.`,
        );
      },
      hints: [
        'A topic exchange, checkout.events: order-service publishes order.order.created without knowing who reads it.',
        'Two services consume order.order.created: two queues, two copies, each at its own pace.',
        'In a lab started with LAB_NAME_PREFIX the queue names start with the prefix.',
      ],
      async solve(lab) {
        await lab.request(`${lab.address.dashboard}/api/internals`);
      },
    },
  ],
};
