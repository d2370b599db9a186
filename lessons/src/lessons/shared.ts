import { DATABASE_NAMES, DEFAULT_KNOBS, type Knobs, SEED_PRODUCTS } from '@checkout-lab/kit';
import type { AuditOrder, AuditTruth } from '@checkout-lab/stacks';
import type { Answer, LabHandle, Order } from '../lab-handle';
import { type CheckResult, fail, pass, type Stack, type Step } from '../lesson';

/** What the lessons share: reading the knobs, faults and fixes, the newest orders, and the monolith's backends. */

export async function config(lab: LabHandle, stack: Stack): Promise<Knobs> {
  return lab.expect<Knobs>(stack, 'GET', '/api/lab/config');
}

export async function faults(lab: LabHandle, stack: Stack): Promise<Record<string, unknown>> {
  return (await lab.expect<{ faults: Record<string, unknown> }>(stack, 'GET', '/api/lab/faults')).faults;
}

export async function fixes(lab: LabHandle): Promise<Record<string, boolean>> {
  return lab.expect<Record<string, boolean>>('monolith', 'GET', '/api/lab/fixes');
}

export function describeOrder(order: Pick<Order, 'id' | 'status' | 'failure_reason'>): string {
  return `#${order.id} ${order.status}${order.failure_reason ? ` (${order.failure_reason})` : ''}`;
}

export const hasProduct = (productId: number) => (order: Order) =>
  order.items.some((item) => item.product_id === productId);

/** The newest orders of a stack with their steps, newest first, optionally only those that match. */
export function newestOrders(lab: LabHandle, stack: Stack, count: number, where?: (order: Order) => boolean) {
  return lab.latestOrders(stack, count, where);
}

export interface Backend {
  pid: number;
  state: string;
  wait_event_type: string | null;
  blocked_by: number[];
  query: string;
}

/** The monolith's backends in a transaction now, as "Watch the lock" reads them from pg_stat_activity. */
export async function monolithBackends(lab: LabHandle): Promise<Backend[]> {
  const database = lab.address.namePrefix ? `${lab.address.namePrefix}_monolith` : DATABASE_NAMES.monolith;
  return lab.query<Backend>(
    'monolith',
    `SELECT pid, state, wait_event_type, pg_blocking_pids(pid) AS blocked_by, left(query, 120) AS query
       FROM pg_stat_activity
      WHERE application_name = 'checkout-monolith' AND datname = $1 AND xact_start IS NOT NULL
      ORDER BY xact_start`,
    [database],
  );
}

/**
 * Two new buyers of one product check out on the monolith, the second once the first is inside its transaction (a
 * backend of the monolith `idle in transaction`, waiting on the payment): both answers, still in flight.
 */
export async function twoBuyers(lab: LabHandle, productId: number): Promise<Promise<Answer<Order>>[]> {
  const [anna, ben] = [await lab.buyer('monolith', 'anna'), await lab.buyer('monolith', 'ben')];
  for (const token of [anna, ben]) {
    await lab.api('monolith', 'POST', '/api/cart/items', { token, body: { product_id: productId, quantity: 1 } });
  }
  const first = lab.api<Order>('monolith', 'POST', '/api/orders/checkout', { token: anna });
  await lab.until('the first buyer inside the transaction', async () =>
    (await monolithBackends(lab)).some((backend) => backend.state === 'idle in transaction') ? true : undefined,
  );
  const second = lab.api<Order>('monolith', 'POST', '/api/orders/checkout', { token: ben });
  return [first, second];
}

/**
 * The last step of a lesson that turned a knob: put it back to its default. Its check first asks the lesson's
 * evidence again (so a fresh lab, where the knob is at its default anyway, does not pass it).
 */
export function knobBackStep(
  stack: Stack,
  knob: keyof Knobs,
  evidence: (lab: LabHandle) => Promise<CheckResult>,
): Step {
  const base = stack === 'monolith' ? '$M' : '$G';
  const value = DEFAULT_KNOBS[knob];
  return {
    instructions: `Put the knob back: ${knob} ${value} on the ${stack}.`,
    uses: { command: `curl -X PUT ${base}/api/lab/config -d '{"${knob}": ${value}}'` },
    async check(lab) {
      const done = await evidence(lab);
      if (!done.pass) return done;
      const now = (await config(lab, stack))[knob];
      if (now !== value)
        return fail(`${knob} is still ${now} on the ${stack}: put it back to ${value} (PUT /api/lab/config).`);
      return pass(`${knob} is back at ${value} on the ${stack}.`);
    },
    hints: ['The same PUT /api/lab/config, with the default.'],
    async solve(lab) {
      await lab.settle();
      await lab.expect(stack, 'PUT', '/api/lab/config', { [knob]: value });
    },
  };
}

/** Redrives the dead letters until the microservices order is final (its email may still be retrying meanwhile). */
export async function redriveUntilFinal(lab: LabHandle, orderId: number): Promise<void> {
  await lab.until(`order ${orderId} final`, async () => {
    const now = await lab.order('microservices', orderId);
    if (now.status === 'confirmed' || now.status === 'cancelled') return true;
    await lab.expect('microservices', 'POST', '/api/lab/dead-letters/redrive', {});
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return undefined;
  });
}

/** The rush of Black Friday and of Atomic stock reservation: the console, and more buyers than its stock. */
export const HOT_PRODUCT = 1;
export const HOT_STOCK = SEED_PRODUCTS[HOT_PRODUCT - 1].stock;
/** More buyers than units, so that some lose; fewer than LESSONS.md's 20 (or 50), so that verify-all stays short. */
export const RUSH_BUYERS = HOT_STOCK + 2;

/** Many new buyers of one product check out at the same moment (carts first, then every checkout at once). */
export async function rush(lab: LabHandle, stack: Stack, productId: number, buyers: number): Promise<Answer<Order>[]> {
  const tokens: string[] = [];
  for (let i = 0; i < buyers; i++) tokens.push(await lab.buyer(stack, `rush${i}`));
  for (const token of tokens) {
    await lab.api(stack, 'POST', '/api/cart/items', { token, body: { product_id: productId, quantity: 1 } });
  }
  return Promise.all(tokens.map((token) => lab.api<Order>(stack, 'POST', '/api/orders/checkout', { token })));
}

/**
 * Since the last reset, a product's stock is the seed's less what the confirmed orders took, never below zero: sold
 * once, never oversold. A problem (or null) with the figures.
 */
export async function stockAccountsFor(
  lab: LabHandle,
  stack: Stack,
  productId: number,
  confirmed: Order[],
): Promise<{ sold: number; stock: number; seed: number; problem: CheckResult | null }> {
  const seed = SEED_PRODUCTS[productId - 1].stock;
  const sold = confirmed
    .flatMap((order) => order.items)
    .filter((item) => item.product_id === productId)
    .reduce((sum, item) => sum + item.quantity, 0);
  const product = await lab.api<{ stock: number }>(stack, 'GET', `/api/products/${productId}`, { token: null });
  const stock = product.body.stock;
  const problem =
    stock < 0 || sold + stock !== seed
      ? fail(
          `Product ${productId}: ${sold} sold by confirmed orders and ${stock} left, not the ${seed} of the seed: ` +
            'stock was lost or oversold, or the catalogue changed since the last POST /api/lab/reset (reset before the rush).',
        )
      : null;
  return { sold, stock, seed, problem };
}

export type PatternName = 'outbox' | 'idempotent_consumers' | 'dead_letters' | 'compensation';

/** The microservices' reliability patterns as the gateway reads them from the services (GET /api/lab/patterns). */
export async function patterns(lab: LabHandle): Promise<Record<PatternName, boolean>> {
  return lab.expect<Record<PatternName, boolean>>('microservices', 'GET', '/api/lab/patterns');
}

/** The stack's own truth (GET /api/lab/audit): payments, emails and the provider's charges per order. */
export async function audit(lab: LabHandle, stack: Stack): Promise<AuditTruth> {
  return lab.expect<AuditTruth>(stack, 'GET', '/api/lab/audit');
}

/** What the audit counts for one order, as a sentence. */
export function describeAudit(entry: AuditOrder | undefined): string {
  if (!entry) return 'not in the audit';
  return `${entry.payments} payment(s), ${entry.provider_charges ?? 0} charge(s) at the provider, ${entry.emails} email(s)`;
}

/** A pattern's last step: put it back on. Its check asks the lesson's evidence again first, as knobBackStep does. */
export function patternBackStep(
  pattern: PatternName,
  evidence: (lab: LabHandle) => Promise<CheckResult>,
  alsoBack: {
    instructions: string;
    command: string;
    check(lab: LabHandle): Promise<CheckResult | null>;
    solve(lab: LabHandle): Promise<void>;
  },
): Step {
  return {
    instructions: `Put the pattern back: ${pattern} on (PUT /api/lab/patterns on the gateway), ${alsoBack.instructions}.`,
    uses: {
      view: 'Faults (the pattern switches)',
      command: `curl -X PUT $G/api/lab/patterns -d '{"${pattern}": true}'; ${alsoBack.command}`,
    },
    async check(lab) {
      const done = await evidence(lab);
      if (!done.pass) return done;
      if ((await patterns(lab))[pattern] !== true)
        return fail(`The pattern ${pattern} is still off: PUT /api/lab/patterns {"${pattern}": true} on the gateway.`);
      const other = await alsoBack.check(lab);
      if (other) return other;
      return pass(`${pattern} is on again, and the lab is as it started.`);
    },
    hints: ['The same PUT /api/lab/patterns, with true.', `Then: ${alsoBack.command}.`],
    async solve(lab) {
      await lab.settle();
      await lab.expect('microservices', 'PUT', '/api/lab/patterns', { [pattern]: true });
      await alsoBack.solve(lab);
    },
  };
}

/** order-service's outbox rows for one order's event of a type: when each was written and sent. */
export async function outboxRows(
  lab: LabHandle,
  type: string,
  orderId: number,
): Promise<{ created_at: Date; sent_at: Date | null; attempts: number }[]> {
  return lab.query(
    'orders',
    `SELECT created_at, sent_at, attempts FROM outbox WHERE type = $1 AND (payload->'payload'->>'order_id')::int = $2`,
    [type, orderId],
  );
}

/** One payment, one charge at the provider (where there is one) and one email: an order done exactly once. */
export function onceEach(entry: AuditOrder | undefined): entry is AuditOrder {
  return entry?.payments === 1 && entry.emails === 1 && (entry.provider_charges ?? 1) === 1;
}

export interface LabProcess {
  name: string;
  pid: number;
  status: string;
  restarts: number;
}

/** The dashboard's table of the launcher's processes (GET /api/lab/processes, open to read). */
export async function processes(lab: LabHandle): Promise<LabProcess[]> {
  const answer = await lab.request<LabProcess[]>(`${lab.address.dashboard}/api/lab/processes`);
  if (answer.status !== 200) throw new Error(`GET /api/lab/processes on the dashboard answered ${answer.status}`);
  return answer.body;
}

/** The broker away from every service: the fault broker_down (the lab's RabbitMQ is shared, so it is not stopped). */
export async function brokerAway(lab: LabHandle): Promise<CheckResult> {
  if ((await faults(lab, 'microservices')).broker_down !== true)
    return fail('broker_down is off: PUT /api/lab/faults {"broker_down": true} on the gateway.');
  return pass('broker_down is on: every service has closed its connection to RabbitMQ.');
}

/** A message parked in a service's dead-letter queue (GET /api/lab/dead-letters). */
export interface DeadLetter {
  id: string;
  service: string;
  reason: string;
  attempts: number;
  event: { payload?: { order_id?: number } };
}

/**
 * email-service's retries wait 0.5 s, 2 s and 8 s in the broker's parking queues before it dead-letters: a lower bound
 * the design sets, not a measurement of the machine.
 */
export const RETRY_BACKOFF_MS = 500 + 2000 + 8000;

export async function deadLetters(lab: LabHandle): Promise<DeadLetter[]> {
  return lab.expect<DeadLetter[]>('microservices', 'GET', '/api/lab/dead-letters');
}

/** The newest microservices order of a product, if it ended cancelled by a declined payment; else what was seen. */
export async function newestDeclined(
  lab: LabHandle,
  productId: number,
  quantity: number,
): Promise<Order | CheckResult> {
  const [order] = await newestOrders(lab, 'microservices', 1, hasProduct(productId));
  if (!order)
    return fail(
      `The microservices have no order of product ${productId}: check out ${quantity} of it with payments failing.`,
    );
  if (order.status !== 'cancelled' || order.failure_reason !== 'payment_declined') {
    return fail(
      `The newest order of product ${productId} is ${describeOrder(order)}: with payment_failure_rate 1 it ends cancelled (payment_declined); poll it.`,
    );
  }
  return order;
}

/** A new buyer checks out that many of a product on the microservices, and the order is polled until it is final. */
export async function checkOutAndWait(
  lab: LabHandle,
  productId: number,
  quantity: number,
  name: string,
): Promise<void> {
  const buyer = await lab.buyer('microservices', name);
  const answer = await lab.checkout('microservices', buyer, productId, quantity);
  if (answer.status === 202) await lab.untilFinal('microservices', answer.body.id);
}

/**
 * Kills one process through the dashboard's lab API (the lab admin's session) and waits until it runs again, as a
 * student does with Internals → Processes (Kill).
 */
export async function killAndWait(lab: LabHandle, name: string): Promise<void> {
  const login = await fetch(`${lab.address.dashboard}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(lab.address.admin),
  });
  if (login.status !== 200) throw new Error(`the dashboard's login answered ${login.status}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  const before = (await processes(lab)).find((entry) => entry.name === name);
  const killed = await lab.request(`${lab.address.dashboard}/api/lab/processes/${name}/kill`, 'POST', undefined, {
    'content-type': 'application/json',
    cookie,
  });
  if (killed.status !== 202)
    throw new Error(`the kill of ${name} answered ${killed.status}: ${JSON.stringify(killed.body)}`);
  await lab.until(`${name} running again`, async () => {
    const now = (await processes(lab)).find((entry) => entry.name === name);
    return now && now.pid !== before?.pid && now.status === 'running' ? true : undefined;
  });
}

/** Where one process of this lab listens, from the dashboard's process table (never assume the default ports). */
export async function processUrl(lab: LabHandle, name: string): Promise<string> {
  const answer = await lab.request<{ name: string; url: string }[]>(`${lab.address.dashboard}/api/lab/processes`);
  const entry = Array.isArray(answer.body) ? answer.body.find((candidate) => candidate.name === name) : undefined;
  if (!entry?.url) throw new Error(`the dashboard's GET /api/lab/processes lists no ${name} with a URL`);
  return entry.url;
}

/** One event of an order as a service's outbox keeps it: the envelope's ids and when it was written and sent. */
export interface OutboxEvent {
  service: string;
  id: string;
  type: string;
  correlation_id: string;
  causation_id: string | null;
  created_at: Date;
  sent_at: Date | null;
}

/** The services that publish events, by the key of their own database. */
export const PUBLISHERS = {
  orders: 'order-service',
  products: 'product-service',
  payments: 'payment-service',
  emails: 'email-service',
} as const;

/** Every event of one order in the outboxes of the services that publish, in the order they were written. */
export async function orderEvents(lab: LabHandle, orderId: number): Promise<OutboxEvent[]> {
  const events: OutboxEvent[] = [];
  for (const [database, service] of Object.entries(PUBLISHERS) as [keyof typeof PUBLISHERS, string][]) {
    const rows = await lab.query<Omit<OutboxEvent, 'service'>>(
      database,
      `SELECT id::text AS id, type, payload->>'correlation_id' AS correlation_id,
              payload->>'causation_id' AS causation_id, created_at, sent_at
         FROM outbox WHERE (payload->'payload'->>'order_id')::int = $1`,
      [orderId],
    );
    events.push(...rows.map((row) => ({ service, ...row })));
  }
  return events.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
}

/** A monolith backend waiting on a row lock, and the backend that holds it (when it is still in a transaction). */
export interface LockWait {
  waiting: Backend;
  holder: Backend | undefined;
}

/**
 * Watches the monolith's transactions while checkouts are in flight, however slow the machine: no fixed wait, only
 * the transactions (the cap is for a lab under endless load, where some transaction is always open). The first wait
 * on a lock that `wanted` accepts; else `seen`: whether any transaction was open at all.
 */
export async function watchForLockWait(
  lab: LabHandle,
  wanted: (wait: LockWait) => boolean = () => true,
): Promise<LockWait | { seen: boolean }> {
  let seen = false;
  const cap = Date.now() + 120_000;
  while (Date.now() < cap) {
    const backends = await monolithBackends(lab);
    if (backends.length === 0) break;
    seen = true;
    const waiting = backends.find((b) => b.wait_event_type === 'Lock' && b.blocked_by.length > 0);
    const wait = waiting && { waiting, holder: backends.find((b) => waiting.blocked_by.includes(b.pid)) };
    if (wait && wanted(wait)) return wait;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { seen };
}
