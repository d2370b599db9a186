import { createTestDatabase, type TestDatabase, testServerUrl } from '@checkout-lab/kit/testing';
import { startUserService } from '@checkout-lab/user-service';
import { loadConfig as userConfig } from '@checkout-lab/user-service/config';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config';
import { type RunningGateway, startGateway } from '../src/server';

// The gateway's user cache (USER_CACHE=on) against a real user-service and PostgreSQL: it serves the users it looked
// up, forgets one the moment user-service's change feed names it (a change made with plain SQL included), and keeps
// nothing while the feed is down.

const SECRET = 'user-cache-test-secret';
const ADMIN = { email: 'admin@cache.test', password: 'admin-password' };

let userDb: TestDatabase;
let sql: pg.Pool;
let users: { url: string; port: number; stop(): Promise<void> };
let gateway: RunningGateway;

const startUsers = (port = '0') =>
  startUserService(
    userConfig({
      DATABASE_URL: testServerUrl(),
      DB_NAME: userDb.name,
      USER_PORT: port,
      JWT_SECRET: SECRET,
      LAB_ADMIN_EMAIL: ADMIN.email,
      LAB_ADMIN_PASSWORD: ADMIN.password,
      BCRYPT_ROUNDS: '4',
      LOG_LEVEL: 'silent',
    }),
  );

beforeAll(async () => {
  userDb = await createTestDatabase('cache_users');
  users = await startUsers();
  sql = new pg.Pool({ connectionString: userDb.url, max: 2 });
  gateway = await startGateway(
    loadConfig({
      GATEWAY_PORT: '0',
      JWT_SECRET: SECRET,
      USER_SERVICE_URL: users.url,
      USER_CACHE: 'on',
      USER_LOOKUP_TIMEOUT_MS: '500',
      LOG_LEVEL: 'silent',
    }),
  );
});

afterAll(async () => {
  await gateway?.stop();
  await users?.stop();
  await sql?.end();
  await userDb?.drop();
});

// biome-ignore lint/suspicious/noExplicitAny: the tests read arbitrary JSON answers
async function call(path: string, token?: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${gateway.url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  return { status: response.status, body: await response.json() };
}

async function buyer(name: string): Promise<{ id: number; token: string }> {
  const email = `${name}-${Date.now()}@cache.test`;
  const password = `${name}-password-1`;
  const body = (value: unknown) => ({ method: 'POST', body: JSON.stringify(value) });
  const registered = await call('/api/auth/register', undefined, body({ email, password, full_name: name }));
  expect(registered.status).toBe(201);
  const login = await call('/api/auth/login', undefined, body({ email, password }));
  return { id: registered.body.id, token: login.body.access_token };
}

/** Asks until the answer is the one wanted (the change feed delivers asynchronously); the test's timeout bounds it. */
async function until(read: () => Promise<boolean>): Promise<void> {
  while (!(await read())) await new Promise((resolve) => setTimeout(resolve, 5));
}

const feedReady = () => until(async () => (await call('/health')).body.user_cache?.status === 'live');

describe('the gateway keeps the users it looked up while it hears of their changes', () => {
  test('when a user is changed without telling the feed, then the gateway still answers from what it kept', async () => {
    await feedReady();
    const ben = await buyer('ben');
    expect((await call('/api/lab/patterns', ben.token)).status).toBe(403);
    // The trigger is what tells the feed; with it disabled the change is silent, and the kept record is served.
    await sql.query('ALTER TABLE users DISABLE TRIGGER users_changed_row');
    try {
      await sql.query('UPDATE users SET is_admin = true WHERE id = $1', [ben.id]);
      expect((await call('/api/lab/patterns', ben.token)).status).toBe(403);
    } finally {
      await sql.query('ALTER TABLE users ENABLE TRIGGER users_changed_row');
      await sql.query('UPDATE users SET is_admin = false WHERE id = $1', [ben.id]);
    }
  });

  test('when a user is deleted with SQL, then its token is refused once the change arrives, and stays refused', async () => {
    await feedReady();
    const gone = await buyer('gone');
    expect((await call('/api/auth/me', gone.token)).status).toBe(200);
    await sql.query('DELETE FROM users WHERE id = $1', [gone.id]);
    await until(async () => (await call('/api/auth/me', gone.token)).status === 401);
    const after = await call('/api/cart', gone.token);
    expect(after.status).toBe(401);
    expect(after.body.error.message).toContain('does not exist');
  });

  test('when a buyer is made admin with SQL, then the admin routes open to it once the change arrives', async () => {
    await feedReady();
    const cleo = await buyer('cleo');
    expect((await call('/api/lab/patterns', cleo.token)).status).toBe(403);
    await sql.query('UPDATE users SET is_admin = true WHERE id = $1', [cleo.id]);
    await until(async () => (await call('/api/lab/patterns', cleo.token)).status !== 403);
  });

  test('when user-service is down, then nothing is served from the cache: the token cannot be checked (503)', async () => {
    await feedReady();
    const dana = await buyer('dana');
    expect((await call('/api/auth/me', dana.token)).status).toBe(200);
    const port = String(users.port);
    await users.stop();
    try {
      await until(async () => (await call('/health')).body.user_cache?.status !== 'live');
      const answer = await call('/api/cart', dana.token);
      expect(answer.status).toBe(503);
      expect(answer.body.error.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      users = await startUsers(port);
    }
    await feedReady();
    expect((await call('/api/auth/me', dana.token)).status).toBe(200);
  });
});
