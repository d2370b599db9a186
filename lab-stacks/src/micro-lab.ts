import type { Knobs } from '@checkout-lab/kit';
import { type TestMail, uniqueName } from '@checkout-lab/kit/testing';
import pg from 'pg';
import type { ServiceName } from './microservices';
import { startTestStack, type TestStack } from './test-stack';
import { type CheckoutAttempt, confirmedOrderIds, type HistoryInput } from './verdict';

/** The microservices of a test's own (see startTestStack), with its own mail catcher. */
export type MicroLab = TestStack & { mail: TestMail };

export async function startMicroLab(knobs: Partial<Knobs> = {}, env: NodeJS.ProcessEnv = {}): Promise<MicroLab> {
  return (await startTestStack({ label: 'ms', knobs, env })) as MicroLab;
}

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

/** PUT /api/lab/faults as the admin, on either stack: the faults in force after it; anything but a 200 throws. */
export async function setFaults(base: string, adminToken: string, faults: Record<string, unknown>) {
  const answer = await call(base, 'PUT', '/api/lab/faults', { token: adminToken, body: faults });
  if (answer.status !== 200) throw new Error(`PUT /api/lab/faults: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.faults as Record<string, unknown>;
}

export async function login(gateway: string, email: string, password: string): Promise<string> {
  const answer = await call(gateway, 'POST', '/api/auth/login', { body: { email, password } });
  if (answer.status !== 200) throw new Error(`login ${email}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.access_token;
}

export async function newBuyer(gateway: string): Promise<{ token: string; email: string }> {
  const email = `${uniqueName('buyer')}@example.com`;
  const register = await call(gateway, 'POST', '/api/auth/register', {
    body: { email, password: 'buyer-password-1', full_name: 'Test Buyer' },
  });
  if (register.status !== 201) throw new Error(`register: ${register.status} ${JSON.stringify(register.body)}`);
  return { token: await login(gateway, email, 'buyer-password-1'), email };
}

/** Creates a product of the test's own (admin), so stock counts are exact. */
export async function newProduct(gateway: string, adminToken: string, stock: number, price = '10.00') {
  const categories = await call(gateway, 'GET', '/api/categories');
  const product = await call(gateway, 'POST', '/api/products', {
    token: adminToken,
    body: { name: uniqueName('product'), price, category_id: categories.body[0].id, stock },
  });
  if (product.status !== 201) throw new Error(`product: ${product.status} ${JSON.stringify(product.body)}`);
  return product.body as { id: number; stock: number };
}

export async function stockOf(gateway: string, productId: number): Promise<number> {
  return (await call(gateway, 'GET', `/api/products/${productId}`)).body.stock;
}

export async function checkout(gateway: string, token: string, productId: number, quantity = 1) {
  const added = await call(gateway, 'POST', '/api/cart/items', { token, body: { product_id: productId, quantity } });
  if (added.status !== 201) throw new Error(`add to cart: ${added.status} ${JSON.stringify(added.body)}`);
  return call(gateway, 'POST', '/api/orders/checkout', { token });
}

const FINAL = new Set(['confirmed', 'cancelled']);

/** Polls GET /api/orders/:id (as the buyer) until the order is final. */
export async function waitFinal(gateway: string, token: string, orderId: number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await call(gateway, 'GET', `/api/orders/${orderId}`, { token });
    if (answer.status === 200 && FINAL.has(answer.body.status)) return answer.body;
    if (Date.now() > deadline) throw new Error(`order ${orderId} not final: ${JSON.stringify(answer.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A direct query on one service's database (the test reads the truth, not the API). */
export async function queryService<T extends pg.QueryResultRow = any>(
  lab: MicroLab,
  service: ServiceName,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const url = lab.stack.services[service].databaseUrl;
  if (!url) throw new Error(`${service} has no database`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Order ids of the microservices' confirmation mails in the catcher, one entry per mail. */
export async function confirmationMails(lab: MicroLab): Promise<number[]> {
  return confirmedOrderIds(
    (await lab.mail.mailbox.list()).map((mail) => mail.subject),
    'microservices',
  );
}

export interface Buyer {
  token: string;
  email: string;
}

/** Registers `count` buyers, `concurrency` at a time. */
export async function newBuyers(gateway: string, count: number, concurrency = 8): Promise<Buyer[]> {
  const buyers: Buyer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        buyers.push(await newBuyer(gateway));
      }
    }),
  );
  return buyers;
}

/**
 * Each buyer puts one unit in the cart and checks out, `concurrency` at a time; after `pauseAfter` accepted orders,
 * `atPause` runs (a kill, a broker restart) before the rest go on. Returns the ids of the 202s, and every attempt as
 * its buyer saw it (the checker's history: a retry that answered an order after a 5xx makes it a recovered one).
 */
export async function runCheckouts(
  gateway: string,
  buyers: Buyer[],
  productId: number,
  options: { concurrency?: number; pauseAfter?: number; atPause?: () => Promise<void> } = {},
): Promise<{ accepted: number[]; refused: number; attempts: CheckoutAttempt[] }> {
  const accepted: number[] = [];
  const attempts: CheckoutAttempt[] = [];
  let refused = 0;
  const queue = [...buyers];
  const pauseAfter = options.pauseAfter ?? Number.POSITIVE_INFINITY;
  let paused: Promise<void> | null = null;
  const worker = async () => {
    for (;;) {
      if (paused) await paused;
      const buyer = queue.shift();
      if (!buyer) return;
      const added = await call(gateway, 'POST', '/api/cart/items', {
        token: buyer.token,
        body: { product_id: productId, quantity: 1 },
      });
      if (added.status !== 201) throw new Error(`add to cart: ${added.status} ${JSON.stringify(added.body)}`);
      // A buyer whose checkout failed on our side (5xx, connection cut) retries with the same Idempotency-Key: if the
      // first attempt had committed, the retry answers with that order instead of placing a second one.
      const key = `checkout-${buyer.email}`;
      let answer: Answer | null = null;
      for (let attempt = 0; attempt < 30; attempt++) {
        answer = await call(gateway, 'POST', '/api/orders/checkout', {
          token: buyer.token,
          headers: { 'idempotency-key': key },
        }).catch(() => null);
        attempts.push(attemptOf(buyer.email, key, answer));
        if (answer && answer.status < 500) break;
        if (paused) await paused;
        await new Promise((r) => setTimeout(r, 200));
      }
      if (answer?.status === 202) accepted.push(answer.body.id);
      else refused += 1;
      if (accepted.length === pauseAfter && !paused && options.atPause) paused = options.atPause();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  if (paused) await paused;
  return { accepted, refused, attempts };
}

function attemptOf(buyer: string, idempotencyKey: string, answer: Answer | null): CheckoutAttempt {
  if (!answer) return { buyer, idempotencyKey, outcome: 'error', status: null };
  const { status } = answer;
  if (status === 201 || status === 202)
    return { buyer, idempotencyKey, outcome: 'accepted', status, orderId: answer.body.id };
  return { buyer, idempotencyKey, outcome: status >= 500 ? 'error' : 'refused', status };
}

/** Waits until every given order is final in order-service's database. */
export async function waitAllFinal(lab: MicroLab, ids: number[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await queryService<{ n: number }>(
      lab,
      'order-service',
      `SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND status IN ('confirmed', 'cancelled')`,
      [ids],
    );
    if (rows[0].n === ids.length) return;
    if (Date.now() > deadline) throw new Error(`${ids.length - rows[0].n} of ${ids.length} orders never became final`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The checker's input for orders the buyers were answered 202 for (and the attempts behind them, when the caller
 * kept them; else one accepted attempt per order): the audit read from every service's own tables
 * (with every payment record, declined ones too, which the HTTP audit leaves out) and the catcher's confirmations.
 */
export async function historyOf(
  lab: MicroLab,
  accepted: number[],
  attempts: CheckoutAttempt[] = accepted.map((id) => ({ buyer: `order-${id}`, outcome: 'accepted', orderId: id })),
): Promise<HistoryInput> {
  const ids = [...new Set([...accepted, ...attempts.flatMap((a) => (a.orderId == null ? [] : [a.orderId]))])];
  const orders = await queryService<{ id: number; status: string; failure_reason: string | null }>(
    lab,
    'order-service',
    'SELECT id, status, failure_reason FROM orders WHERE id = ANY($1) ORDER BY id',
    [ids],
  );
  const payments = await queryService<{ order_id: number; succeeded: number; records: number }>(
    lab,
    'payment-service',
    `SELECT order_id, (count(*) FILTER (WHERE status = 'succeeded'))::int AS succeeded, count(*)::int AS records
       FROM payments WHERE order_id = ANY($1) GROUP BY order_id`,
    [ids],
  );
  const emails = await queryService<{ order_id: number; count: number }>(
    lab,
    'email-service',
    'SELECT order_id, count(*)::int AS count FROM email_sends WHERE order_id = ANY($1) GROUP BY order_id',
    [ids],
  );
  const paid = new Map(payments.map((row) => [row.order_id, row]));
  const sent = new Map(emails.map((row) => [row.order_id, row.count]));
  const wanted = new Set(ids);
  return {
    attempts,
    audit: {
      orders: orders.map((order) => ({
        ...order,
        payments: paid.get(order.id)?.succeeded ?? 0,
        payment_records: paid.get(order.id)?.records ?? 0,
        emails: sent.get(order.id) ?? 0,
      })),
    },
    mails: (await confirmationMails(lab)).filter((id) => wanted.has(id)),
  };
}
