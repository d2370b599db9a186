import { DEV_JWT_SECRET } from '@checkout-lab/kit';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, type TestShop, shopCounts, startTestShop } from '@checkout-lab/stacks/testing';

function expectError(response: ApiResponse, status: number, code?: string) {
  expect(response.status).toBe(status);
  expect(response.body).toHaveProperty('error.code');
  expect(response.body).toHaveProperty('error.message');
  expect(typeof response.body.error.message).toBe('string');
  if (code) expect(response.body.error.code).toBe(code);
  expect(JSON.stringify(response.body)).not.toMatch(/\.ts:\d+|node_modules|QueryFailedError/);
}

describe('bad input is refused with the contract error shape and writes nothing', () => {
  let shop: TestShop;
  let buyer: { token: string; id: number; email: string };
  let before: Record<string, number>;
  beforeAll(async () => {
    shop = await startTestShop();
    buyer = await shop.buyer();
    await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 2, quantity: 1 } });
    before = await shopCounts(shop);
  });
  afterAll(async () => {
    // Every request in this file was refused: the database is exactly as it was.
    expect(await shopCounts(shop)).toEqual(before);
    await shop?.stop();
  });

  it('when the body is not JSON, then 400 MALFORMED_JSON', async () => {
    for (const raw of ['{"email": ', 'not json', '{"product_id": 1,}']) {
      expectError(await shop.api('POST', '/api/auth/register', { raw }), 400, 'MALFORMED_JSON');
      expectError(await shop.api('POST', '/api/cart/items', { raw, token: buyer.token }), 400, 'MALFORMED_JSON');
    }
  });

  it('when registration fields are missing, mistyped or taken, then 422 or 409', async () => {
    const cases = [
      {},
      { email: 'x@example.test', password: 'longenough' },
      { email: 'not-an-email', password: 'longenough', full_name: 'X' },
      { email: 'x@example.test', password: 'short', full_name: 'X' },
      { email: 42, password: 'longenough', full_name: 'X' },
      { email: 'x@example.test', password: ['longenough'], full_name: 'X' },
      { email: 'x@example.test', password: 'longenough', full_name: '' },
    ];
    for (const body of cases) {
      const response = await shop.api('POST', '/api/auth/register', { body });
      expectError(response, 422, 'VALIDATION_ERROR');
      expect(Array.isArray(response.body.error.details)).toBe(true);
    }
    expectError(
      await shop.api('POST', '/api/auth/register', {
        body: { email: buyer.email.toUpperCase(), password: 'longenough', full_name: 'Twin' },
      }),
      409,
      'EMAIL_TAKEN',
    );
  });

  it('when the login is wrong, then 401 without telling which part was wrong', async () => {
    const wrongPassword = await shop.api('POST', '/api/auth/login', {
      body: { email: buyer.email, password: 'wrong password' },
    });
    const unknownUser = await shop.api('POST', '/api/auth/login', {
      body: { email: 'nobody@example.test', password: 'wrong password' },
    });
    expectError(wrongPassword, 401, 'INVALID_CREDENTIALS');
    expect(unknownUser.body).toEqual(wrongPassword.body);
    expectError(await shop.api('POST', '/api/auth/login', { body: { email: buyer.email } }), 422);
  });

  it('when cart quantities are negative, zero, fractional, huge or strings, then 422', async () => {
    for (const quantity of [-1, 0, 1.5, 1001, 1e12, '2', null]) {
      expectError(
        await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 2, quantity } }),
        422,
        'VALIDATION_ERROR',
      );
      expectError(
        await shop.api('PATCH', '/api/cart/items/2', { token: buyer.token, body: { quantity } }),
        422,
        'VALIDATION_ERROR',
      );
    }
    expectError(await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 2 } }), 422);
    expectError(
      await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: '2', quantity: 1 } }),
      422,
    );
  });

  it('when ids are unknown or not ids, then 404 or 422', async () => {
    expectError(
      await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 999999, quantity: 1 } }),
      404,
      'NOT_FOUND',
    );
    expectError(await shop.api('GET', '/api/products/999999'), 404, 'NOT_FOUND');
    expectError(await shop.api('GET', '/api/products/abc'), 422, 'VALIDATION_ERROR');
    expectError(await shop.api('GET', '/api/products/1e99'), 422, 'VALIDATION_ERROR');
    expectError(await shop.api('GET', '/api/orders/999999', { token: buyer.token }), 404, 'NOT_FOUND');
    expectError(await shop.api('PATCH', '/api/cart/items/9', { token: buyer.token, body: { quantity: 1 } }), 404);
    expectError(await shop.api('DELETE', '/api/cart/items/9', { token: buyer.token }), 404);
    expectError(
      await shop.api('POST', '/api/products/999999/reviews', { token: buyer.token, body: { rating: 5, comment: 'x' } }),
      404,
    );
    expectError(await shop.api('GET', '/api/no-such-route'), 404, 'NOT_FOUND');
  });

  it('when an id is written loosely (hex, exponent, sign, space, decimal point), then 422 and nothing changes', async () => {
    // Number() would read these as 16, 10, 5, 7 and 1: an admin's DELETE /api/products/0x10 removed product 16.
    for (const raw of ['0x10', '1e1', '+5', ' 7', '1.0']) {
      const id = encodeURIComponent(raw);
      const token = shop.adminToken;
      expectError(await shop.api('GET', `/api/products/${id}`), 422, 'VALIDATION_ERROR');
      expectError(await shop.api('PATCH', `/api/products/${id}`, { token, body: { stock: 0 } }), 422);
      expectError(await shop.api('DELETE', `/api/products/${id}`, { token }), 422, 'VALIDATION_ERROR');
      expectError(await shop.api('GET', `/api/products?category_id=${id}`), 422, 'VALIDATION_ERROR');
      expectError(await shop.api('DELETE', `/api/cart/items/${id}`, { token: buyer.token }), 422);
      expectError(await shop.api('GET', `/api/orders/${id}`, { token: buyer.token }), 422, 'VALIDATION_ERROR');
    }
  });

  it('when text holds a NUL byte or a new password is past 72 bytes, then 422 and no account or review', async () => {
    const register = (body: Record<string, unknown>) =>
      shop.api('POST', '/api/auth/register', {
        body: { email: 'edge@example.test', password: 'longenough', full_name: 'Edge', ...body },
      });
    expectError(await register({ full_name: 'Nul\u0000' }), 422, 'VALIDATION_ERROR');
    expectError(await register({ password: 'p'.repeat(73) }), 422, 'VALIDATION_ERROR');
    expectError(await register({ password: 'ü'.repeat(37) }), 422, 'VALIDATION_ERROR');
    expectError(await shop.api('GET', '/api/products?q=a%00b'), 422, 'VALIDATION_ERROR');
    const review = { rating: 5, comment: 'nul\u0000' };
    expectError(await shop.api('POST', '/api/products/1/reviews', { token: buyer.token, body: review }), 422);
  });

  it('when strings carry SQL metacharacters, then they are plain data', async () => {
    for (const id of ["1'; DROP TABLE orders; --", '1 OR 1=1', '1;DELETE FROM users']) {
      expectError(await shop.api('GET', `/api/products/${encodeURIComponent(id)}`), 422);
    }
    const search = await shop.api('GET', `/api/products?q=${encodeURIComponent("%' OR '1'='1")}`);
    expect(search.status).toBe(200);
    expect(search.body).toEqual({ items: [], total: 0 });
    expectError(
      await shop.api('POST', '/api/auth/login', { body: { email: "o'brien@example.test", password: "' OR '1'='1" } }),
      401,
    );
    expectError(await shop.api('GET', '/api/products?category_id=1%20OR%201=1'), 422);
    expectError(await shop.api('GET', '/api/products?limit=-1'), 422);
    expectError(await shop.api('GET', '/api/products?limit=100000'), 422);
  });

  it('when the token is missing, forged, expired or names nobody, then 401', async () => {
    const forged = jwt.sign({ is_admin: true }, 'not-the-secret', { subject: String(buyer.id), expiresIn: 600 });
    const expired = jwt.sign({}, DEV_JWT_SECRET, { subject: String(buyer.id), expiresIn: -10 });
    const nobody = jwt.sign({}, DEV_JWT_SECRET, { subject: '987654', expiresIn: 600 });
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: String(buyer.id), is_admin: true }),
    ).toString('base64url')}.`;
    const bad = [undefined, 'garbage', forged, expired, nobody, unsigned];
    for (const token of bad) {
      for (const [method, path] of [
        ['GET', '/api/auth/me'],
        ['GET', '/api/cart'],
        ['POST', '/api/orders/checkout'],
        ['GET', '/api/notifications'],
        ['GET', '/api/lab/config'],
      ]) {
        expectError(await shop.api(method, path, { token }), 401, 'UNAUTHORIZED');
      }
    }
    const response = await shop.api('GET', '/api/auth/me', { token: expired });
    expect(response.body.error.message).toMatch(/expired/);
  });

  it('when a buyer calls admin routes, then 403 FORBIDDEN', async () => {
    const calls: [string, string, unknown?][] = [
      ['POST', '/api/categories', { name: 'Buyer category' }],
      ['POST', '/api/products', { name: 'x', price: '1.00', category_id: 1, stock: 1 }],
      ['PATCH', '/api/products/1', { stock: 1000 }],
      ['DELETE', '/api/products/1'],
      ['GET', '/api/lab/config'],
      ['PUT', '/api/lab/config', { payment_delay_ms: 0 }],
      ['POST', '/api/lab/reset'],
      ['GET', '/api/lab/orders'],
      ['GET', '/api/lab/audit'],
    ];
    for (const [method, path, body] of calls) {
      expectError(await shop.api(method, path, { token: buyer.token, body }), 403, 'FORBIDDEN');
    }
  });

  it('when admin input is invalid, then 422 or 404 or 409', async () => {
    const token = shop.adminToken;
    for (const body of [
      { name: 'x', price: '-1.00', category_id: 1, stock: 1 },
      { name: 'x', price: '1.001', category_id: 1, stock: 1 },
      { name: 'x', price: 'free', category_id: 1, stock: 1 },
      { name: 'x', price: '1.00', category_id: 1, stock: -5 },
      { name: '', price: '1.00', category_id: 1, stock: 1 },
      { price: '1.00', category_id: 1, stock: 1 },
    ]) {
      expectError(await shop.api('POST', '/api/products', { token, body }), 422, 'VALIDATION_ERROR');
    }
    expectError(
      await shop.api('POST', '/api/products', {
        token,
        body: { name: 'x', price: '1.00', category_id: 999, stock: 1 },
      }),
      404,
    );
    expectError(await shop.api('PATCH', '/api/products/1', { token, body: {} }), 422);
    expectError(await shop.api('PATCH', '/api/products/1', { token, body: { stock: -1 } }), 422);
    expectError(await shop.api('PATCH', '/api/products/1', { token, body: { owner: 'me' } }), 422);
    expectError(await shop.api('POST', '/api/categories', { token, body: { name: 'Books' } }), 409, 'CATEGORY_EXISTS');
    for (const body of [
      { payment_delay_ms: -1 },
      { email_delay_ms: 60001 },
      { payment_failure_rate: 1.5 },
      { payment_delay_ms: '100' },
      { unknown_knob: 1 },
    ]) {
      expectError(await shop.api('PUT', '/api/lab/config', { token, body }), 422, 'VALIDATION_ERROR');
    }
    expect((await shop.api('GET', '/api/lab/config', { token })).body).toEqual({
      payment_delay_ms: 20,
      email_delay_ms: 20,
      payment_failure_rate: 0,
    });
    expectError(await shop.api('GET', '/api/lab/orders?since=yesterday', { token }), 422);
    expectError(
      await shop.api('POST', '/api/products/1/reviews', { token: buyer.token, body: { rating: 6, comment: 'x' } }),
      422,
    );
    expectError(
      await shop.api('POST', '/api/orders/checkout', {
        token: buyer.token,
        headers: { 'Idempotency-Key': 'k'.repeat(300) },
      }),
      422,
    );
  });
});
