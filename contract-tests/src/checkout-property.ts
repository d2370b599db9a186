import { type CheckoutAttempt, checkHistory, type OrderItem } from '@checkout-lab/stacks/verdict';
import fc from 'fast-check';
import { ApiClient, type ApiResponse, pollUntil } from './client';

/**
 * A property of the checkout on either stack, through the public contract only: whatever the interleaving of
 * concurrent checkouts, cart edits and retries (with and without the same Idempotency-Key), the shop never
 *  - makes two orders of one cart (no unit a buyer put in the cart is ordered twice),
 *  - sells more than it has (final stock = initial stock - what confirmed orders hold, never below 0),
 *  - charges an order twice, keeps a charge for an order it did not confirm, or sends two confirmations,
 *  - answers one Idempotency-Key with two different orders, or answers 5xx.
 * fast-check draws the scenario (how many buyers, what each does, how long each waits between steps, which requests
 * go out at the same instant); the real servers decide the interleaving. A failure prints the scenario and its seed.
 * The shop's side (stock, charges, confirmations against what each buyer was answered) is the one checker's verdict.
 */

export interface PropertyTarget {
  stack: 'monolith' | 'microservices';
  baseUrl: string;
  admin: { email: string; password: string };
}

type Action =
  | { kind: 'add'; quantity: number; waitMs: number }
  | { kind: 'remove'; waitMs: number }
  | { kind: 'checkout'; key: number | null; copies: number; waitMs: number };

interface Scenario {
  stock: number;
  buyers: Action[][];
}

const add = fc.record({
  kind: fc.constant('add' as const),
  quantity: fc.integer({ min: 1, max: 2 }),
  waitMs: fc.nat(30),
});
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: add, weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('remove' as const), waitMs: fc.nat(30) }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('checkout' as const),
      // The same small key number again later is a retry with the same key; null is a checkout without one.
      key: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 1 })),
      // Two copies at once: a double click, or a client retrying before the first answer.
      copies: fc.integer({ min: 1, max: 2 }),
      waitMs: fc.nat(30),
    }),
    weight: 3,
  },
);

// Every buyer starts by putting something in the cart; enough stock that a cart ordered twice would still sell.
export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  stock: fc.integer({ min: 1, max: 8 }),
  buyers: fc.array(
    fc.tuple(add, fc.array(action, { minLength: 1, maxLength: 5 })).map(([first, rest]) => [first, ...rest]),
    { minLength: 1, maxLength: 3 },
  ),
});

interface BuyerLog {
  token: string;
  added: number;
  /** Order ids answered per Idempotency-Key. */
  keyed: Map<string, Set<number>>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ACCEPTED_REFUSALS = new Set(['CART_EMPTY', 'OUT_OF_STOCK', 'NOT_FOUND']);

function unexpected(response: ApiResponse, what: string): string | null {
  if (response.status < 300) return null;
  const code = response.body?.error?.code;
  if (response.status < 500 && ACCEPTED_REFUSALS.has(code)) return null;
  return `${what} answered ${response.status} ${JSON.stringify(response.body)}`;
}

let runCounter = 0;

/** Runs one scenario against the target and returns the broken invariants (empty when the shop held). */
export async function runScenario(target: PropertyTarget, scenario: Scenario): Promise<string[]> {
  runCounter += 1;
  const run = `${process.pid}-${runCounter}-${Date.now()}`;
  const api = new ApiClient(target.baseUrl);
  const admin = await api.login(target.admin.email, target.admin.password);
  const categories = await api.get('/api/categories');
  const created = await api.post('/api/products', {
    token: admin,
    body: { name: `Property item ${run}`, price: '5.00', category_id: categories.body[0].id, stock: scenario.stock },
  });
  if (created.status !== 201) throw new Error(`could not create the product: ${JSON.stringify(created.body)}`);
  const productId: number = created.body.id;

  const problems: string[] = [];
  const attempts: CheckoutAttempt[] = [];
  const buyers: BuyerLog[] = [];
  for (let index = 0; index < scenario.buyers.length; index++) {
    const buyer = await api.buyer(`prop${index}`);
    buyers.push({ token: buyer.token, added: 0, keyed: new Map() });
  }

  const checkout = async (log: BuyerLog, key: string | null) => {
    const response = await api.post('/api/orders/checkout', {
      token: log.token,
      headers: key ? { 'Idempotency-Key': key } : undefined,
    });
    attempts.push(attemptOf(log.token, key, response));
    const problem = unexpected(response, `checkout${key ? ` with key ${key}` : ''}`);
    if (problem) problems.push(problem);
    if (key && response.status < 300) {
      const ids = log.keyed.get(key) ?? new Set<number>();
      ids.add(response.body.id);
      log.keyed.set(key, ids);
    }
  };

  await Promise.all(
    scenario.buyers.map(async (actions, index) => {
      const log = buyers[index];
      for (const step of actions) {
        await sleep(step.waitMs);
        if (step.kind === 'add') {
          const response = await api.post('/api/cart/items', {
            token: log.token,
            body: { product_id: productId, quantity: step.quantity },
          });
          const problem = unexpected(response, 'add to cart');
          if (problem) problems.push(problem);
          if (response.status === 201) log.added += step.quantity;
        } else if (step.kind === 'remove') {
          const response = await api.delete(`/api/cart/items/${productId}`, { token: log.token });
          const problem = unexpected(response, 'remove from cart');
          if (problem) problems.push(problem);
        } else {
          const key = step.key === null ? null : `prop-${run}-${index}-${step.key}`;
          await Promise.all(Array.from({ length: step.copies }, () => checkout(log, key)));
        }
      }
    }),
  );

  // Every order of every buyer, once final (the microservices confirm or cancel after the 202).
  const listed = await Promise.all(
    buyers.map(async (log) => {
      const orders = await pollUntil(
        async () => (await api.get('/api/orders', { token: log.token })).body,
        (body) =>
          Array.isArray(body) && body.every((order) => order.status === 'confirmed' || order.status === 'cancelled'),
        60_000,
      );
      return { log, orders: orders as { id: number; status: string; items: OrderItem[] }[] };
    }),
  );
  for (const { log, orders } of listed) {
    const ordered = orders.reduce(
      (sum, order) =>
        sum + order.items.filter((item) => item.product_id === productId).reduce((s, i) => s + i.quantity, 0),
      0,
    );
    if (ordered > log.added) {
      problems.push(`a buyer put ${log.added} in the cart and ${ordered} were ordered: one cart made two orders`);
    }
    for (const [key, ids] of log.keyed) {
      if (ids.size > 1) problems.push(`Idempotency-Key ${key} answered ${ids.size} different orders: ${[...ids]}`);
    }
  }

  const ids = new Set(listed.flatMap(({ orders }) => orders.map((order) => order.id)));
  // The confirmations go out after the order is confirmed on the microservices: wait until each confirmed order has one.
  const audit = await pollUntil(
    async () => (await api.get('/api/lab/audit', { token: admin })).body,
    (body) =>
      body?.orders?.every(
        (order: { id: number; status: string; emails: number }) =>
          !ids.has(order.id) || order.status !== 'confirmed' || order.emails >= 1,
      ),
    30_000,
  );
  const check = checkHistory({
    attempts,
    // An order behind a failed answer is matched by its buyer's own list.
    buyerOrders: Object.fromEntries(listed.map(({ log, orders }) => [log.token, orders])),
    audit,
    mails: null,
    initialStock: { [productId]: scenario.stock },
  });
  for (const invariant of check.invariants.filter((i) => !i.ok))
    problems.push(`${invariant.name}: ${invariant.detail}`);
  return problems;
}

function attemptOf(buyer: string, key: string | null, response: ApiResponse): CheckoutAttempt {
  const { status, body } = response;
  if (status === 201 || status === 202) {
    return { buyer, idempotencyKey: key, outcome: 'accepted', status, orderId: body.id, items: body.items };
  }
  return { buyer, idempotencyKey: key, outcome: status >= 500 ? 'error' : 'refused', status };
}

/** The property, for vitest: numRuns scenarios (PROPERTY_RUNS overrides), each on a fresh product and buyers. */
export async function assertCheckoutProperty(target: PropertyTarget, numRuns: number): Promise<void> {
  const runs = Number(process.env.PROPERTY_RUNS) || numRuns;
  await fc.assert(
    fc.asyncProperty(scenarioArbitrary, async (scenario) => {
      const problems = await runScenario(target, scenario);
      if (problems.length > 0) throw new Error(`${target.stack}: ${problems.join('; ')}`);
    }),
    { numRuns: runs, endOnFailure: true },
  );
}
