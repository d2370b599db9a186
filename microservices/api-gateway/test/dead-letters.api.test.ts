import { freePort } from '@checkout-lab/kit';
import {
  createTestDatabase,
  type TestDatabase,
  testAmqpUrl,
  testServerUrl,
  uniqueName,
} from '@checkout-lab/kit/testing';
import { HEADERS, makeEvent, names, queueDepth } from '@checkout-lab/shared';
import { deleteBrokerObjects } from '@checkout-lab/stacks';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startUserService } from '@checkout-lab/user-service';
import { loadConfig as userConfig } from '@checkout-lab/user-service/config';
import { loadConfig } from '../src/config';
import { type RunningGateway, startGateway } from '../src/server';

// biome-ignore lint/suspicious/noExplicitAny: the tests read arbitrary JSON answers
const jsonOf = (response: Response): Promise<any> => response.json();

const SECRET = 'dead-letters-test-secret';
const ADMIN = { email: 'admin@dead-letters.test', password: 'admin-password' };

let amqpUrl: string;
let prefix: string;
let userDb: TestDatabase;
let users: { url: string; stop(): Promise<void> };
let gateway: RunningGateway;
let admin: string;
let buyer: string;
const parked: { service: string; target: string; eventId: string }[] = [];

/** Parks one letter in a service's quorum DLQ as the adapter's deadLetter() does, and declares its work queue. */
async function park(service: string, orderId: number): Promise<void> {
  const n = names(prefix);
  const target = n.queue(service, 'created');
  const event = makeEvent(
    'order.order.created',
    { order_id: orderId, user_id: 2, user_email: 'b@lab.test', items: [], total: '1.00', cart_hold_id: 'h' },
    { correlationId: `dead-letters-${orderId}` },
  );
  const connection = await amqp.connect(amqpUrl);
  const channel = await connection.createConfirmChannel();
  for (const queue of [n.dlq(service), target]) {
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  }
  channel.sendToQueue(n.dlq(service), Buffer.from(JSON.stringify(event)), {
    persistent: true,
    messageId: event.id,
    type: event.type,
    headers: {
      [HEADERS.originalQueue]: target,
      [HEADERS.error]: 'simulated failure',
      [HEADERS.retryCount]: 3,
      [HEADERS.deadLetteredAt]: new Date().toISOString(),
    },
  });
  await channel.waitForConfirms();
  await connection.close();
  parked.push({ service, target, eventId: event.id });
}

beforeAll(async () => {
  amqpUrl = await testAmqpUrl();
  prefix = uniqueName('gateway_dlq');
  // A real user-service: the admin and the buyer log in through the gateway, as the dashboard does.
  userDb = await createTestDatabase('gateway_dlq_users');
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
  const dead = `http://127.0.0.1:${await freePort()}`;
  gateway = await startGateway(
    loadConfig({
      GATEWAY_PORT: '0',
      JWT_SECRET: SECRET,
      USER_SERVICE_URL: users.url,
      PRODUCT_SERVICE_URL: dead,
      CART_SERVICE_URL: dead,
      ORDER_SERVICE_URL: dead,
      PAYMENT_SERVICE_URL: dead,
      EMAIL_SERVICE_URL: dead,
      AMQP_URL: amqpUrl,
      RABBIT_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    }),
  );
  admin = await login(ADMIN.email, ADMIN.password);
  const email = `${uniqueName('buyer')}@example.com`;
  const registered = await call('/api/auth/register', {
    method: 'POST',
    body: JSON.stringify({ email, password: 'secret-123', full_name: 'Buyer' }),
  });
  expect(registered.status).toBe(201);
  buyer = await login(email, 'secret-123');
  await park('payment-service', 1);
  await park('payment-service', 2);
  await park('email-service', 3);
});

afterAll(async () => {
  await gateway?.stop();
  await users?.stop();
  await userDb?.drop();
  if (prefix) await deleteBrokerObjects(amqpUrl, prefix);
});

const call = (path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`${gateway.url}${path}`, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
  });

async function login(email: string, password: string): Promise<string> {
  const response = await call('/api/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) });
  expect(response.status).toBe(200);
  return (await jsonOf(response)).access_token;
}

const settle = () => new Promise((r) => setTimeout(r, 300));

describe('dead letters through the gateway', () => {
  test('when the broker does not answer, then 503 SERVICE_UNAVAILABLE naming rabbitmq', async () => {
    const cut = await startGateway(
      loadConfig({
        GATEWAY_PORT: '0',
        JWT_SECRET: SECRET,
        USER_SERVICE_URL: users.url,
        AMQP_URL: `amqp://guest:guest@127.0.0.1:${await freePort()}`,
        RABBIT_PREFIX: prefix,
        LOG_LEVEL: 'silent',
      }),
    );
    try {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${admin}` };
      for (const [method, path] of [
        ['GET', '/api/lab/dead-letters'],
        ['POST', '/api/lab/dead-letters/redrive'],
      ]) {
        const body = method === 'POST' ? '{}' : undefined;
        const response = await fetch(`${cut.url}${path}`, { method, headers, body });
        expect(response.status).toBe(503);
        expect((await jsonOf(response)).error).toMatchObject({
          code: 'SERVICE_UNAVAILABLE',
          details: { service: 'rabbitmq' },
        });
      }
    } finally {
      await cut.stop();
    }
  });

  test('when anyone but the admin asks, then 401 without a token and 403 for a buyer, and nothing moves', async () => {
    for (const [method, path] of [
      ['GET', '/api/lab/dead-letters'],
      ['POST', '/api/lab/dead-letters/redrive'],
    ]) {
      const body = method === 'POST' ? '{}' : undefined;
      expect((await call(path, { method, body })).status).toBe(401);
      expect((await call(path, { method, body, token: buyer })).status).toBe(403);
    }
    const n = names(prefix);
    expect(await queueDepth(amqpUrl, n.dlq('payment-service'))).toBe(2);
    expect(await queueDepth(amqpUrl, n.dlq('email-service'))).toBe(1);
  });

  test('when the admin lists, then every letter of every service, with the same ids on a second look', async () => {
    const response = await call('/api/lab/dead-letters', { token: admin });
    expect(response.status).toBe(200);
    const letters = await jsonOf(response);
    expect(letters).toHaveLength(3);
    const payment = letters.find((letter: { event: { id: string } }) => letter.event.id === parked[0].eventId);
    expect(payment).toMatchObject({
      id: `payment-service:${parked[0].eventId}`,
      service: 'payment-service',
      queue: parked[0].target,
      routing_key: 'order.order.created',
      reason: 'simulated failure',
      attempts: 4,
      event: { type: 'order.order.created', payload: { order_id: 1 } },
    });
    expect(Number.isNaN(Date.parse(payment.dead_lettered_at))).toBe(false);
    const again = await jsonOf(await call('/api/lab/dead-letters', { token: admin }));
    expect(again.map((letter: { id: string }) => letter.id).sort()).toEqual(
      letters.map((letter: { id: string }) => letter.id).sort(),
    );
  });

  test('when bad input is sent, then 422 and nothing moves', async () => {
    for (const body of ['{"ids": "all"}', '{"ids": ["no-service-here"]}', '{"ids": [], "extra": 1}']) {
      const response = await call('/api/lab/dead-letters/redrive', { method: 'POST', token: admin, body });
      expect(response.status).toBe(422);
      expect((await jsonOf(response)).error.code).toBe('VALIDATION_ERROR');
    }
    expect(await queueDepth(amqpUrl, names(prefix).dlq('payment-service'))).toBe(2);
  });

  test('when the admin redrives one id, then only that letter moves, once, and the others stay', async () => {
    const id = `payment-service:${parked[1].eventId}`;
    const response = await call('/api/lab/dead-letters/redrive', {
      method: 'POST',
      token: admin,
      body: JSON.stringify({ ids: [id] }),
    });
    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toEqual({ redriven: 1 });
    await settle();
    const n = names(prefix);
    expect(await queueDepth(amqpUrl, n.dlq('payment-service'))).toBe(1);
    expect(await queueDepth(amqpUrl, parked[1].target)).toBe(1);
    expect(await queueDepth(amqpUrl, n.dlq('email-service'))).toBe(1);
    const left = await jsonOf(await call('/api/lab/dead-letters', { token: admin }));
    expect(left.map((letter: { id: string }) => letter.id).sort()).toEqual(
      [`payment-service:${parked[0].eventId}`, `email-service:${parked[2].eventId}`].sort(),
    );
  });

  test('when the admin redrives without ids, then every letter left moves once and the DLQs are empty', async () => {
    const response = await call('/api/lab/dead-letters/redrive', { method: 'POST', token: admin, body: '{}' });
    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toEqual({ redriven: 2 });
    await settle();
    const n = names(prefix);
    expect(await queueDepth(amqpUrl, n.dlq('payment-service'))).toBe(0);
    expect(await queueDepth(amqpUrl, n.dlq('email-service'))).toBe(0);
    expect(await queueDepth(amqpUrl, parked[0].target)).toBe(2);
    expect(await queueDepth(amqpUrl, parked[2].target)).toBe(1);
    expect(await jsonOf(await call('/api/lab/dead-letters', { token: admin }))).toEqual([]);
  });
});
