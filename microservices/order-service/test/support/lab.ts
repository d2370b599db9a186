import {
  DATABASE_NAMES,
  dropDatabase,
  type Knobs,
  parseConfirmationSubject,
  type TestMail,
  startTestMailCatcher,
  testAmqpUrl,
  testServerUrl,
  uniqueName,
} from '@checkout-lab/kit';
import { deleteBrokerObjects } from '@checkout-lab/shared';
import pg from 'pg';
import { type MicroStack, type ServiceName, startMicroservices } from '../../../shared/src/stack';

/**
 * The microservices of a test's own: every service folder's process on free ports, databases <prefix>_orders ...,
 * RABBIT_PREFIX=<prefix>, a mail catcher of its own; stop() removes all of it.
 */
export interface Lab {
  stack: MicroStack;
  mail: TestMail;
  gateway: string;
  admin: { email: string; password: string };
  amqpUrl: string;
  prefix: string;
  stop(): Promise<void>;
}

export async function startLab(knobs: Partial<Knobs> = {}, env: NodeJS.ProcessEnv = {}): Promise<Lab> {
  const amqpUrl = await testAmqpUrl();
  const serverUrl = testServerUrl();
  const prefix = uniqueName('ms');
  const mail = await startTestMailCatcher();
  const admin = { email: 'saga.admin@checkout.lab', password: 'saga-admin-pw' };
  const cleanup = async () => {
    await mail.stop().catch(() => {});
    for (const key of Object.keys(DATABASE_NAMES)) await dropDatabase(serverUrl, `${prefix}_${key}`).catch(() => {});
    await deleteBrokerObjects(amqpUrl, prefix).catch(() => {});
  };
  let stack: MicroStack;
  try {
    stack = await startMicroservices({
      serverUrl,
      amqpUrl,
      smtpPort: mail.smtpPort,
      mailUiUrl: mail.webUrl,
      namePrefix: prefix,
      knobs: { payment_delay_ms: 20, email_delay_ms: 20, payment_failure_rate: 0, ...knobs },
      env: {
        JWT_SECRET: 'saga-test-secret',
        LAB_ADMIN_EMAIL: admin.email,
        LAB_ADMIN_PASSWORD: admin.password,
        LOG_LEVEL: process.env.TEST_LOG ?? 'warn',
        AUTH_RATE_LIMIT: '1000000',
        BCRYPT_ROUNDS: '4',
        ...env,
      },
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    stack,
    mail,
    gateway: stack.gatewayUrl,
    admin,
    amqpUrl,
    prefix,
    stop: async () => {
      await stack.stop();
      await cleanup();
    },
  };
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
  lab: Lab,
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
export async function confirmationMails(lab: Lab): Promise<number[]> {
  return (await lab.mail.mailbox.list())
    .map((mail) => parseConfirmationSubject(mail.subject))
    .filter((parsed) => parsed?.stack === 'microservices')
    .map((parsed) => Number(parsed?.orderId));
}
