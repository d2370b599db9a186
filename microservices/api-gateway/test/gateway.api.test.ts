import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@checkout-lab/kit';
import {
  createTestDatabase,
  type TestDatabase,
  testAmqpUrl,
  testServerUrl,
  uniqueName,
} from '@checkout-lab/kit/testing';
import { DEFAULT_RETRY_DELAYS_MS, names } from '@checkout-lab/shared';
import { deleteBrokerObjects } from '@checkout-lab/stacks';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startProductService } from '@checkout-lab/product-service';
import { loadConfig as productConfig } from '@checkout-lab/product-service/config';
import { startUserService } from '@checkout-lab/user-service';
import { loadConfig as userConfig } from '@checkout-lab/user-service/config';
import { loadConfig } from '../src/config';
import { type RunningGateway, startGateway } from '../src/server';

// biome-ignore lint/suspicious/noExplicitAny: the tests read arbitrary JSON answers
const jsonOf = (response: Response): Promise<any> => response.json();

const SECRET = 'gateway-test-secret';
const ADMIN = { email: 'admin@gateway.test', password: 'admin-password' };

let amqpUrl: string;
let prefix: string;
let userDb: TestDatabase;
let productDb: TestDatabase;
let users: { url: string; stop(): Promise<void> };
let products: { url: string; stop(): Promise<void> };
let gateway: RunningGateway;
let limited: RunningGateway;
let silent: http.Server;
let silentUrl: string;
const open = new Set<http.ServerResponse>();

beforeAll(async () => {
  amqpUrl = await testAmqpUrl();
  prefix = uniqueName('gateway_api');
  userDb = await createTestDatabase('gateway_users');
  productDb = await createTestDatabase('gateway_products');
  users = await startUserService(
    userConfig({
      DATABASE_URL: testServerUrl(),
      DB_NAME: userDb.name,
      USER_PORT: '0',
      JWT_SECRET: SECRET,
      LAB_ADMIN_EMAIL: ADMIN.email,
      LAB_ADMIN_PASSWORD: ADMIN.password,
      BCRYPT_ROUNDS: '4',
      LOG_LEVEL: 'silent',
    }),
  );
  products = await startProductService(
    productConfig({
      DATABASE_URL: testServerUrl(),
      DB_NAME: productDb.name,
      PRODUCT_PORT: '0',
      AMQP_URL: amqpUrl,
      RABBIT_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    }),
  );
  // A service that accepts the connection and never answers: what a hung process looks like from the gateway.
  silent = http.createServer((_req, res) => open.add(res));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const dead = `http://127.0.0.1:${await freePort()}`;
  const base = {
    GATEWAY_PORT: '0',
    JWT_SECRET: SECRET,
    USER_SERVICE_URL: users.url,
    PRODUCT_SERVICE_URL: products.url,
    CART_SERVICE_URL: dead,
    ORDER_SERVICE_URL: silentUrl,
    PAYMENT_SERVICE_URL: dead,
    EMAIL_SERVICE_URL: dead,
    PROXY_TIMEOUT_MS: '500',
    HEALTH_TIMEOUT_MS: '500',
    LAB_TIMEOUT_MS: '500',
    LOG_LEVEL: 'silent',
  };
  gateway = await startGateway(loadConfig(base));
  limited = await startGateway(loadConfig({ ...base, AUTH_RATE_LIMIT: '3' }));
});

afterAll(async () => {
  for (const res of open) res.destroy();
  silent?.closeAllConnections();
  await new Promise((resolve) => silent?.close(resolve));
  await limited?.stop();
  await gateway?.stop();
  await products?.stop();
  await users?.stop();
  await productDb?.drop();
  await userDb?.drop();
  const n = names(prefix);
  const queues = ['order-created', 'order-cancelled']
    .map((purpose) => n.queue('product-service', purpose))
    .flatMap((q) => [q, ...DEFAULT_RETRY_DELAYS_MS.map((_d, i) => n.retryQueue(q, i + 1))]);
  await deleteBrokerObjects(amqpUrl, prefix, [...queues, n.dlq('product-service')]);
});

const call = (path: string, init: RequestInit & { token?: string } = {}, base = gateway.url) =>
  fetch(`${base}${path}`, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.headers as Record<string, string>),
    },
  });

async function login(email: string, password: string): Promise<string> {
  const response = await call('/api/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) });
  expect(response.status).toBe(200);
  return (await jsonOf(response)).access_token;
}

async function buyer(): Promise<{ id: number; token: string }> {
  const email = `${uniqueName('buyer')}@example.com`;
  const created = await call('/api/auth/register', {
    method: 'POST',
    body: JSON.stringify({ email, password: 'secret-123', full_name: 'Buyer' }),
  });
  expect(created.status).toBe(201);
  return { id: (await jsonOf(created)).id, token: await login(email, 'secret-123') };
}

describe('routing and identity', () => {
  test('when a buyer registers, logs in and asks who they are, then user-service answers through the gateway', async () => {
    const { id, token } = await buyer();
    const me = await call('/api/auth/me', { token });
    expect(me.status).toBe(200);
    expect((await jsonOf(me)).id).toBe(id);
  });

  test('when a client sends its own x-user-id, then it is ignored: no token is 401, a token names its own user', async () => {
    const { id, token } = await buyer();
    const forged = { 'x-user-id': '1', 'x-user-admin': 'true' };
    expect((await call('/api/auth/me', { headers: forged })).status).toBe(401);
    expect((await jsonOf(await call('/api/auth/me', { token, headers: forged }))).id).toBe(id);
    const patch = await call('/api/products/2', { method: 'PATCH', token, headers: forged, body: '{"stock":0}' });
    expect(patch.status).toBe(403);
  });

  test.each([
    ['no token', undefined],
    ['a token signed with another secret', jwt.sign({ sub: '1', email: 'x', is_admin: true }, 'other-secret')],
    ['an expired token', jwt.sign({ sub: '1', email: 'x', is_admin: true, exp: 1000 }, SECRET)],
    [
      'a token with alg none',
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"1","is_admin":true}').toString('base64url')}.`,
    ],
    ['a token whose sub is not an id', jwt.sign({ sub: 'admin', email: 'x', is_admin: true }, SECRET)],
  ])('when a protected route gets %s, then 401 in the contract shape at the gateway', async (_what, token) => {
    for (const path of ['/api/auth/me', '/api/cart', '/api/orders', '/api/notifications', '/api/lab/config']) {
      const response = await call(path, { token });
      expect(response.status).toBe(401);
      const body = await jsonOf(response);
      expect(body.error).toMatchObject({ code: 'UNAUTHORIZED', message: expect.any(String) });
    }
  });

  test('when the catalogue is read without a token, then it is served', async () => {
    const response = await call('/api/products?limit=1');
    expect(response.status).toBe(200);
    expect((await jsonOf(response)).items).toHaveLength(1);
    expect((await call('/api/categories')).status).toBe(200);
  });

  test('when a request has no x-request-id, then one is made; when it has one, it comes back from the service', async () => {
    const generated = await call('/api/products/1');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const traced = await call('/api/products/1', { headers: { 'x-request-id': 'trace-abc' } });
    expect(traced.headers.get('x-request-id')).toBe('trace-abc');
  });

  test('when /internal or an unknown path is asked, then 404 JSON and nothing is proxied', async () => {
    const { token } = await buyer();
    for (const path of ['/internal/lab/audit', '/internal/carts/1', '/api/nowhere']) {
      const response = await call(path, { token });
      expect(response.status).toBe(404);
      expect((await jsonOf(response)).error.code).toBe('NOT_FOUND');
    }
  });
});

test('when /openapi.json and /docs are asked, then the description of every public path', async () => {
  const document = await jsonOf(await call('/openapi.json'));
  expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/orders/checkout', '/api/lab/audit']));
  expect(document.paths['/api/orders/checkout'].post.responses).toHaveProperty('202');
  expect((await call('/docs/')).status).toBe(200);
});

describe('failures behind the gateway', () => {
  test('when a service is down, then 503 SERVICE_UNAVAILABLE naming it', async () => {
    const { token } = await buyer();
    const response = await call('/api/cart', { token });
    expect(response.status).toBe(503);
    expect(await jsonOf(response)).toEqual({
      error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String), details: { service: 'cart-service' } },
    });
  });

  test('when a service never answers, then 504 GATEWAY_TIMEOUT after the proxy timeout, not a hang', async () => {
    const { token } = await buyer();
    const response = await call('/api/orders', { token });
    expect(response.status).toBe(504);
    expect((await jsonOf(response)).error.code).toBe('GATEWAY_TIMEOUT');
  });

  test('when a service is down, then /health says which one and answers 503', async () => {
    const response = await call('/health');
    expect(response.status).toBe(503);
    const body = await jsonOf(response);
    expect(body.status).toBe('degraded');
    expect(body.services['user-service']).toEqual({ status: 'ok', url: users.url });
    expect(body.services['product-service'].status).toBe('ok');
    expect(body.services['cart-service'].status).toBe('down');
    expect(body.services['order-service'].status).toBe('down');
    expect(Object.keys(body.services).sort()).toEqual(
      ['cart-service', 'email-service', 'order-service', 'payment-service', 'product-service', 'user-service'].sort(),
    );
  });

  test('when the lab knobs are asked and payment-service is down, then a 503 JSON error, not a crash', async () => {
    const token = await login(ADMIN.email, ADMIN.password);
    const response = await call('/api/lab/config', { token });
    expect(response.status).toBe(503);
    expect((await jsonOf(response)).error.details).toEqual({ service: 'payment-service' });
  });
});

describe('lab endpoints and limits', () => {
  test('when a buyer calls a lab endpoint, then 403; bad lab input is 422 before any service is asked', async () => {
    const { token } = await buyer();
    for (const [method, path] of [
      ['GET', '/api/lab/config'],
      ['PUT', '/api/lab/config'],
      ['POST', '/api/lab/reset'],
      ['GET', '/api/lab/orders'],
      ['GET', '/api/lab/audit'],
    ]) {
      expect((await call(path, { method, token, body: method === 'GET' ? undefined : '{}' })).status).toBe(403);
    }
    const admin = await login(ADMIN.email, ADMIN.password);
    const bad = await call('/api/lab/config', { method: 'PUT', token: admin, body: '{"payment_failure_rate": 2}' });
    expect(bad.status).toBe(422);
    expect((await call('/api/lab/audit?since=yesterday', { token: admin })).status).toBe(422);
    const malformed = await call('/api/lab/config', { method: 'PUT', token: admin, body: '{"payment' });
    expect(malformed.status).toBe(400);
  });

  test('when login is hammered past AUTH_RATE_LIMIT, then 429 RATE_LIMITED in the contract shape', async () => {
    const body = JSON.stringify({ email: 'nobody@example.com', password: 'wrong-password' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await call('/api/auth/login', { method: 'POST', body }, limited.url)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limitedResponse = await call('/api/auth/login', { method: 'POST', body }, limited.url);
    expect((await jsonOf(limitedResponse)).error.code).toBe('RATE_LIMITED');
    // Reading the catalogue is not limited.
    expect((await call('/api/categories', {}, limited.url)).status).toBe(200);
  });
});
