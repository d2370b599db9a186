import crypto from 'node:crypto';
import {
  type CaughtMail,
  DATABASE_NAMES,
  DEFAULT_ADMIN,
  DEFAULT_KNOBS,
  DEFAULT_PORTS,
  Mailbox,
} from '@checkout-lab/kit';
import pg from 'pg';
import type { Stack } from './lesson';

/**
 * What a lesson's check and solve see of a running lab: its addresses, the admin of each stack, SQL on the lab's
 * PostgreSQL server, the mail catcher, and a few helpers every lesson needs (a new buyer, a checkout, an order).
 *
 * A lab started by `npm start` is found with the same environment variables that started it, and their defaults:
 * MONOLITH_PORT, GATEWAY_PORT, DASHBOARD_PORT, MAIL_UI_PORT, PAYMENT_PROVIDER_PORT, LAB_ADMIN_EMAIL /
 * LAB_ADMIN_PASSWORD, LAB_NAME_PREFIX, and DATABASE_URL (unset: the embedded server on EMBEDDED_PG_PORT, 5433).
 */

export interface LabAddress {
  monolith: string;
  gateway: string;
  dashboard: string;
  mailUi: string;
  paymentProvider: string;
  /** A PostgreSQL URL with the rights to read every database of the lab. */
  serverUrl: string;
  namePrefix: string;
  admin: { email: string; password: string };
}

type PortName = keyof typeof DEFAULT_PORTS;

/** Where the lab of `npm start` listens, read from the same variables it reads. */
export function labAddressFromEnv(env: NodeJS.ProcessEnv = process.env): LabAddress {
  const port = (name: PortName) => Number(env[name] || DEFAULT_PORTS[name]);
  const local = (name: PortName) => `http://127.0.0.1:${port(name)}`;
  return {
    monolith: local('MONOLITH_PORT'),
    gateway: local('GATEWAY_PORT'),
    dashboard: local('DASHBOARD_PORT'),
    mailUi: local('MAIL_UI_PORT'),
    paymentProvider: local('PAYMENT_PROVIDER_PORT'),
    serverUrl: env.DATABASE_URL || `postgres://postgres:postgres@127.0.0.1:${port('EMBEDDED_PG_PORT')}/postgres`,
    namePrefix: env.LAB_NAME_PREFIX ?? '',
    admin: {
      email: env.LAB_ADMIN_EMAIL || DEFAULT_ADMIN.email,
      password: env.LAB_ADMIN_PASSWORD || DEFAULT_ADMIN.password,
    },
  };
}

/** No process answers where the lab should be: the command line says how to start one instead of a stack trace. */
export class LabNotRunning extends Error {
  constructor(readonly url: string) {
    super(`No lab answers at ${url}: start it with \`npm start\` (in another terminal), then run this again.`);
  }
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface OrderStep {
  name: string;
  service?: string;
  started_at: string;
  duration_ms: number;
}

export interface Order {
  id: number;
  status: string;
  total: string;
  failure_reason: string | null;
  items: { product_id: number; quantity: number }[];
  created_at: string;
  processing_duration_ms: number;
  completion_duration_ms: number | null;
  email_sent_at: string | null;
  steps: OrderStep[];
}

const FINAL = new Set(['confirmed', 'cancelled']);

export class LabHandle {
  readonly mailbox: Mailbox;
  private tokens = new Map<Stack, string>();
  private pool: Map<string, pg.Pool> = new Map();
  private inFlight = new Set<Promise<unknown>>();

  constructor(readonly address: LabAddress) {
    this.mailbox = new Mailbox(address.mailUi);
  }

  base(stack: Stack): string {
    return stack === 'monolith' ? this.address.monolith : this.address.gateway;
  }

  /** One HTTP call to a stack; the admin's token unless another (or null, none) is given. */
  async api<T = unknown>(
    stack: Stack,
    method: string,
    path: string,
    options: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const token = options.token === undefined ? await this.adminToken(stack) : options.token;
    return this.request<T>(`${this.base(stack)}${path}`, method, options.body, {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...options.headers,
    });
  }

  /** A call anywhere (the dashboard, the provider, the mail catcher); an unreachable lab is LabNotRunning. */
  async request<T = unknown>(
    url: string,
    method = 'GET',
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      if (error instanceof TypeError) throw new LabNotRunning(new URL(url).origin);
      throw error;
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: the text as it is
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  /** Throws LabNotRunning unless the monolith answers its /health (it always runs in a lab). */
  async assertRunning(): Promise<void> {
    await this.request(`${this.address.monolith}/health`);
  }

  /** True when the microservices' gateway answers at all (the lab starts them only when RabbitMQ answers). */
  async hasMicroservices(): Promise<boolean> {
    try {
      await this.request(`${this.address.gateway}/health`);
      return true;
    } catch (error) {
      if (error instanceof LabNotRunning) return false;
      throw error;
    }
  }

  async adminToken(stack: Stack): Promise<string> {
    const known = this.tokens.get(stack);
    if (known) return known;
    const token = await this.login(stack, this.address.admin.email, this.address.admin.password);
    this.tokens.set(stack, token);
    return token;
  }

  async login(stack: Stack, email: string, password: string): Promise<string> {
    const answer = await this.api<{ access_token?: string }>(stack, 'POST', '/api/auth/login', {
      token: null,
      body: { email, password },
    });
    if (answer.status !== 200 || !answer.body.access_token) {
      throw new Error(`the ${stack}'s login of ${email} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    return answer.body.access_token;
  }

  /** A new buyer on one stack (registered with a unique email), logged in: its token. */
  async buyer(stack: Stack, name = 'buyer'): Promise<string> {
    const email = `lesson-${name}-${crypto.randomBytes(4).toString('hex')}@example.test`;
    const password = `password-${name}-lesson`;
    const registered = await this.api(stack, 'POST', '/api/auth/register', {
      token: null,
      body: { email, password, full_name: name },
    });
    if (registered.status !== 201) throw new Error(`registering ${email} answered ${registered.status}`);
    return this.login(stack, email, password);
  }

  /** Puts one product in the buyer's cart and checks out: the checkout's answer. */
  async checkout(stack: Stack, token: string, productId: number, quantity = 1): Promise<Answer<Order>> {
    const added = await this.api(stack, 'POST', '/api/cart/items', {
      token,
      body: { product_id: productId, quantity },
    });
    if (added.status !== 201) throw new Error(`adding product ${productId} to the cart answered ${added.status}`);
    return this.api<Order>(stack, 'POST', '/api/orders/checkout', { token });
  }

  /** A new buyer checks out one product. */
  async buyOnce(stack: Stack, productId: number, name = 'buyer'): Promise<Answer<Order>> {
    return this.checkout(stack, await this.buyer(stack, name), productId);
  }

  /** Every order of a stack, oldest first (GET /api/lab/orders). */
  async orders(stack: Stack): Promise<{ id: number; status: string; failure_reason: string | null }[]> {
    const answer = await this.api<{ id: number; status: string; failure_reason: string | null }[]>(
      stack,
      'GET',
      '/api/lab/orders',
    );
    if (answer.status !== 200) throw new Error(`GET /api/lab/orders on the ${stack} answered ${answer.status}`);
    return [...answer.body].sort((a, b) => a.id - b.id);
  }

  /** One order with its steps, read as the admin. */
  async order(stack: Stack, id: number): Promise<Order> {
    const answer = await this.api<Order>(stack, 'GET', `/api/orders/${id}`);
    if (answer.status !== 200) throw new Error(`GET /api/orders/${id} on the ${stack} answered ${answer.status}`);
    return answer.body;
  }

  /** The stack's newest orders with their steps, newest first. */
  async latestOrders(stack: Stack, count: number, where: (order: Order) => boolean = () => true): Promise<Order[]> {
    const found: Order[] = [];
    for (const { id } of (await this.orders(stack)).reverse()) {
      const order = await this.order(stack, id);
      if (where(order)) found.push(order);
      if (found.length === count) break;
    }
    return found;
  }

  /** Polls an order until it is confirmed or cancelled (a cap for a lab that is stuck, not a measurement). */
  async untilFinal(stack: Stack, id: number, capMs = 120_000): Promise<Order> {
    return this.until(
      `order ${id} on the ${stack} final`,
      async () => {
        const order = await this.order(stack, id);
        return FINAL.has(order.status) ? order : undefined;
      },
      capMs,
    );
  }

  /** Polls read() until it gives a value; throws after capMs, a bound for a lab that never gets there. */
  async until<T>(what: string, read: () => Promise<T | undefined>, capMs = 120_000): Promise<T> {
    const deadline = Date.now() + capMs;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${capMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** SQL on one of the lab's databases (named as in DATABASE_NAMES, with the lab's prefix). */
  async query<R extends pg.QueryResultRow = Record<string, unknown>>(
    database: keyof typeof DATABASE_NAMES,
    sql: string,
    params: unknown[] = [],
  ): Promise<R[]> {
    const name = this.address.namePrefix ? `${this.address.namePrefix}_${database}` : DATABASE_NAMES[database];
    let pool = this.pool.get(name);
    if (!pool) {
      const url = new URL(this.address.serverUrl);
      url.pathname = `/${name}`;
      pool = new pg.Pool({ connectionString: url.toString(), max: 2, application_name: 'checkout-lessons' });
      pool.on('error', () => {});
      this.pool.set(name, pool);
    }
    try {
      return (await pool.query<R>(sql, params)).rows;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') throw new LabNotRunning(this.address.serverUrl);
      throw error;
    }
  }

  async mails(): Promise<CaughtMail[]> {
    try {
      return await this.mailbox.list();
    } catch (error) {
      if (error instanceof TypeError) throw new LabNotRunning(this.address.mailUi);
      throw error;
    }
  }

  /** Work a solve leaves running (checkouts in flight for a check to watch); settle() waits for it. */
  background(work: Promise<unknown>): void {
    const tracked = work.catch(() => {}).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** The lab as it starts: the default knobs on both stacks, every fault off, every fix off, every pattern on. */
  async restoreDefaults(): Promise<void> {
    const stacks: Stack[] = (await this.hasMicroservices()) ? ['monolith', 'microservices'] : ['monolith'];
    for (const stack of stacks) {
      await this.expect(stack, 'PUT', '/api/lab/config', DEFAULT_KNOBS);
      await this.expect(stack, 'POST', '/api/lab/faults/reset');
    }
    if (stacks.includes('microservices')) {
      await this.expect('microservices', 'PUT', '/api/lab/patterns', {
        outbox: true,
        idempotent_consumers: true,
        dead_letters: true,
        compensation: true,
      });
    }
    await this.expect('monolith', 'PUT', '/api/lab/fixes', {
      short_lock: false,
      payment_outside_transaction: false,
      async_email: false,
      accept_then_process: false,
    });
  }

  /** A clean shop on every stack: no orders, the seed catalogue. */
  async resetShops(): Promise<void> {
    await this.expect('monolith', 'POST', '/api/lab/reset');
    if (await this.hasMicroservices()) await this.expect('microservices', 'POST', '/api/lab/reset');
  }

  /** An admin call that must answer 2xx; its body. */
  async expect<T = unknown>(stack: Stack, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.api<T>(stack, method, path, { body });
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(`${method} ${path} on the ${stack} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    return answer.body;
  }

  async close(): Promise<void> {
    await this.settle();
    await Promise.all([...this.pool.values()].map((pool) => pool.end()));
    this.pool.clear();
  }
}

/** When a step ended: its start plus its duration, in ms since the epoch. */
export function stepEnd(step: OrderStep): number {
  return Date.parse(step.started_at) + step.duration_ms;
}

export function stepStart(step: OrderStep): number {
  return Date.parse(step.started_at);
}

export function findStep(order: Order, name: string): OrderStep | undefined {
  return order.steps.find((step) => step.name === name);
}
