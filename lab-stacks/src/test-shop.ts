import { DEFAULT_ADMIN, type Knobs } from '@checkout-lab/kit';
import {
  type TestDatabase,
  type TestMail,
  createTestDatabase,
  startTestMailCatcher,
  testPaymentProvider,
} from '@checkout-lab/kit/testing';
import pg from 'pg';
import { type RunningMonolith, type StartMonolithOptions, startMonolith } from '@checkout-lab/monolith';
import { type ApiResponse, jsonRequest, type RequestOptions } from './json-request';

export interface TestShop {
  monolith: RunningMonolith;
  database: TestDatabase;
  mail: TestMail;
  /** A direct connection to the shop's database, to count rows and read pg_stat_activity. */
  sql: pg.Pool;
  adminToken: string;
  api(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** Registers a buyer and returns its token. */
  buyer(name?: string): Promise<{ token: string; email: string; id: number }>;
  setKnobs(knobs: Partial<Knobs>): Promise<void>;
  count(table: string): Promise<number>;
  stock(productId: number): Promise<number>;
  stop(): Promise<void>;
}

let buyerCounter = 0;

/** A monolith of the test's own: its own database, its own mail catcher, a free port. */
export async function startTestShop(
  options: { knobs?: Partial<Knobs>; smtpPort?: number } & Partial<StartMonolithOptions> = {},
): Promise<TestShop> {
  const database = await createTestDatabase('mono_test');
  const mail = await startTestMailCatcher();
  const monolith = await startMonolith({
    databaseUrl: database.url,
    mailUiUrl: mail.webUrl,
    logLevel: 'silent',
    ...options,
    paymentProvider: { ...testPaymentProvider(database.name), ...options.paymentProvider },
    knobs: { payment_delay_ms: 20, email_delay_ms: 20, payment_failure_rate: 0, ...options.knobs },
    smtpPort: options.smtpPort ?? mail.smtpPort,
  });
  const sql = new pg.Pool({ connectionString: database.url, max: 4 });
  // Dropping the test database at the end ends its sessions: an idle client's error then is expected, not a failure.
  sql.on('error', () => {});

  const api: TestShop['api'] = (method, path, opts) => jsonRequest(`${monolith.url}${path}`, method, opts);

  const login = async (email: string, password: string) => {
    const response = await api('POST', '/api/auth/login', { body: { email, password } });
    if (response.status !== 200) throw new Error(`login failed: ${JSON.stringify(response.body)}`);
    return response.body.access_token as string;
  };
  const adminToken = await login(DEFAULT_ADMIN.email, DEFAULT_ADMIN.password);

  return {
    monolith,
    database,
    mail,
    sql,
    adminToken,
    api,
    async buyer(name = 'buyer') {
      buyerCounter += 1;
      const email = `${name}.${process.pid}.${buyerCounter}@example.test`;
      const registered = await api('POST', '/api/auth/register', {
        body: { email, password: 'correct horse', full_name: `Buyer ${buyerCounter}` },
      });
      if (registered.status !== 201) throw new Error(`register failed: ${JSON.stringify(registered.body)}`);
      return { token: await login(email, 'correct horse'), email, id: registered.body.id };
    },
    async setKnobs(knobs) {
      const response = await api('PUT', '/api/lab/config', { token: adminToken, body: knobs });
      if (response.status !== 200) throw new Error(`config failed: ${JSON.stringify(response.body)}`);
    },
    async count(table) {
      const { rows } = await sql.query(`SELECT COUNT(*)::int AS n FROM ${table}`);
      return rows[0].n;
    },
    async stock(productId) {
      const { rows } = await sql.query('SELECT quantity FROM inventory WHERE product_id = $1', [productId]);
      return rows[0].quantity;
    },
    async stop() {
      await sql.end();
      await monolith.stop();
      await mail.stop();
      await database.drop();
    },
  };
}

/** Counts of every table a checkout writes, to prove a failure wrote nothing. */
export async function shopCounts(shop: TestShop): Promise<Record<string, number>> {
  const tables = [
    'users',
    'categories',
    'products',
    'inventory',
    'carts',
    'cart_items',
    'orders',
    'order_items',
    'payments',
    'reviews',
    'notifications',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = await shop.count(table);
  const { rows } = await shop.sql.query('SELECT COALESCE(SUM(quantity), 0)::int AS total FROM inventory');
  counts.total_stock = rows[0].total;
  return counts;
}
