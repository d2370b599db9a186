import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalHeaders, startTestStack, TEST_INTERNAL_SECRET, type TestStack } from '@checkout-lab/stacks/testing';

/** order-service alone: its cart-service is not running, so every checkout meets a dead dependency. */
describe('order-service on its own', () => {
  let test: TestStack;
  let url: string;
  // As the gateway calls: an internal token naming buyer 5, or (peer) naming only the caller. Signed per call: they
  // live 60 s.
  const buyer = () => internalHeaders({ userId: 5, email: 'five@example.com' }, { secret: TEST_INTERNAL_SECRET });
  const peer = () => internalHeaders(null, { secret: TEST_INTERNAL_SECRET, caller: 'cart-service' });

  beforeAll(async () => {
    test = await startTestStack({
      label: 'ord',
      only: ['order-service'],
      smtpPort: 1,
      env: { CART_TIMEOUT_MS: '1000' },
    });
    url = test.stack.services['order-service'].url;
  });
  afterAll(async () => {
    await test?.stop();
  });

  it('when cart-service is down, then checkout answers 503 CART_SERVICE_UNAVAILABLE and writes nothing', async () => {
    const answer = await fetch(`${url}/api/orders/checkout`, { method: 'POST', headers: buyer() });
    expect(answer.status).toBe(503);
    const body = (await answer.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('CART_SERVICE_UNAVAILABLE');
    expect(JSON.stringify(body)).not.toContain('at ');
    const orders = await fetch(`${url}/api/orders`, { headers: buyer() });
    expect(await orders.json()).toEqual([]);
    const lab = await fetch(`${url}/internal/lab/orders`, { headers: peer() });
    expect(await lab.json()).toEqual([]);
  });

  it('when no identity is forwarded, then 401', async () => {
    expect((await fetch(`${url}/api/orders/checkout`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${url}/api/orders`)).status).toBe(401);
    expect((await fetch(`${url}/api/orders`, { headers: { 'x-user-id': '5' } })).status).toBe(401);
    expect((await fetch(`${url}/internal/lab/orders`)).status).toBe(401);
  });

  it('when the Idempotency-Key is too long or since is not a date, then 422', async () => {
    const long = await fetch(`${url}/api/orders/checkout`, {
      method: 'POST',
      headers: { ...buyer(), 'idempotency-key': 'k'.repeat(201) },
    });
    expect(long.status).toBe(422);
    const since = await fetch(`${url}/internal/lab/orders?since=yesterday`, { headers: peer() });
    expect(since.status).toBe(422);
  });

  it('when cart-service asks about a hold no order was written from, then 404; a malformed hold, then 422', async () => {
    const unknown = await fetch(`${url}/internal/orders/by-cart-hold/${crypto.randomUUID()}`, { headers: peer() });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect((await fetch(`${url}/internal/orders/by-cart-hold/not-a-uuid`, { headers: peer() })).status).toBe(422);
  });

  it('when /health is asked, then it reports the database and the broker', async () => {
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      service: 'order-service',
      database: 'ok',
      broker: 'connected',
    });
  });
});
