import { confirmationSubject, type Mailbox, SEED_CATEGORIES, SEED_PRODUCTS } from '@checkout-lab/kit';
import jwt from 'jsonwebtoken';
import { beforeAll, describe, expect, test } from 'vitest';
import { ApiClient, type ApiResponse, expectJsonRefusals, pollUntil } from './client';
import { registerDocsSuite } from './docs-suite';

/** What the suite needs to know about a running stack; filled in by the caller's beforeAll. */
export interface ContractTarget {
  stack: 'monolith' | 'microservices';
  baseUrl: string;
  admin: { email: string; password: string };
  /** The secret the stack signs with, to forge expired tokens; and the stack's mail catcher. */
  jwtSecret: string;
  mailbox: Mailbox;
}

const FINAL = new Set(['confirmed', 'cancelled']);

// The documented defaults of the failed-login limits (README's knobs, docs/conventions.md): LOGIN_FAILURE_LIMIT
// failures per account and LOGIN_ADDRESS_FAILURE_LIMIT per client address, in a LOGIN_FAILURE_WINDOW_S window.
const ACCOUNT_FAILURES = 10;
const ADDRESS_FAILURES = 100;
const WINDOW_S = 900;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const uniqueEmail = (label: string) => `${label}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@contract.test`;

/** The error shape of the contract: {"error": {"code", "message", "details"?}} and nothing else. */
function expectError(response: ApiResponse, status: number | number[], code?: string): void {
  const statuses = Array.isArray(status) ? status : [status];
  expect(statuses, JSON.stringify(response.body)).toContain(response.status);
  expect(response.body).toEqual({
    error: expect.objectContaining({ code: code ?? expect.any(String), message: expect.any(String) }),
  });
  expect(JSON.stringify(response.body)).not.toMatch(/\bat .+\.(ts|js):\d+/);
}

const USER_SHAPE = {
  id: expect.any(Number),
  email: expect.any(String),
  full_name: expect.any(String),
  is_admin: expect.any(Boolean),
  created_at: expect.any(String),
};
const PRODUCT_SHAPE = {
  id: expect.any(Number),
  name: expect.any(String),
  description: expect.any(String),
  price: expect.stringMatching(/^\d+\.\d{2}$/),
  category_id: expect.any(Number),
  stock: expect.any(Number),
};

/**
 * The one contract suite (docs/api.md and docs/conventions.md), registered against any stack. It passes on both, the
 * only difference being the documented one: the monolith's checkout answers 201 confirmed, the microservices' 202
 * pending with a Location to poll until confirmed.
 */
export function registerContractSuite(getTarget: () => ContractTarget): void {
  let api: ApiClient;
  let target: ContractTarget;
  let adminToken: string;

  beforeAll(async () => {
    target = getTarget();
    api = new ApiClient(target.baseUrl);
    adminToken = await api.login(target.admin.email, target.admin.password);
  });

  // The document every answer below is checked against (ApiClient), and its Swagger UI.
  registerDocsSuite(getTarget);

  /** A product of the test's own, so stock assertions never depend on other tests. */
  async function newProduct(stock: number, price = '10.00') {
    const response = await api.post('/api/products', {
      token: adminToken,
      body: { name: `Contract item ${Math.random().toString(36).slice(2, 8)}`, price, category_id: 1, stock },
    });
    expect(response.status).toBe(201);
    return response.body as { id: number; price: string; stock: number };
  }

  async function stockOf(productId: number): Promise<number> {
    return (await api.get(`/api/products/${productId}`)).body.stock;
  }

  /** Checks out and, on the microservices, polls the Location until the order is final. */
  async function checkout(token: string, headers: Record<string, string> = {}) {
    const response = await api.post('/api/orders/checkout', { token, headers });
    if (response.status === 409) return { response, order: null };
    if (target.stack === 'monolith') {
      expect(response.status).toBe(201);
      expect(response.body.status).toBe('confirmed');
      return { response, order: response.body };
    }
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    expect(response.body.status).toBe('pending');
    expect(response.headers.get('location')).toBe(`/api/orders/${response.body.id}`);
    const order = await pollUntil(
      async () => (await api.get(response.headers.get('location') as string, { token })).body,
      (body) => FINAL.has(body?.status),
    );
    return { response, order };
  }

  describe('health', () => {
    test('when /health is asked, then 200 {status: "ok"}', async () => {
      const response = await api.get('/health');
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('ok');
    });
  });

  describe('auth', () => {
    test('when a buyer registers, then 201 User without any password field, and login gives a bearer token', async () => {
      const email = `reg.${Date.now()}.${Math.random().toString(36).slice(2, 7)}@contract.test`;
      const created = await api.post('/api/auth/register', {
        body: { email, password: 'contract-password', full_name: 'Reg Istered' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ ...USER_SHAPE, email, full_name: 'Reg Istered', is_admin: false });
      const login = await api.post('/api/auth/login', { body: { email, password: 'contract-password' } });
      expect(login.status).toBe(200);
      expect(login.body).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        expires_in: expect.any(Number),
      });
      const me = await api.get('/api/auth/me', { token: login.body.access_token });
      expect(me.status).toBe(200);
      expect(me.body).toEqual(created.body);
    });

    test('when the email is taken, then 409 EMAIL_TAKEN', async () => {
      const { email } = await api.buyer('taken');
      const response = await api.post('/api/auth/register', {
        body: { email, password: 'contract-password', full_name: 'Again' },
      });
      expectError(response, 409, 'EMAIL_TAKEN');
    });

    test.each([
      ['a bad email', { email: 'nope', password: 'contract-password', full_name: 'X' }],
      ['a short password', { email: 'short.pw@contract.test', password: 'x', full_name: 'X' }],
      ['no full_name', { email: 'no.name@contract.test', password: 'contract-password' }],
      ['a number as email', { email: 12, password: 'contract-password', full_name: 'X' }],
      ['an array body', [1, 2]],
    ])('when register gets %s, then 422 VALIDATION_ERROR and no account', async (_what, body) => {
      expectError(await api.post('/api/auth/register', { body }), 422, 'VALIDATION_ERROR');
      const email = (body as { email?: unknown }).email;
      if (typeof email === 'string' && email.includes('@')) {
        expectError(await api.post('/api/auth/login', { body: { email, password: 'contract-password' } }), 401);
      }
    });

    test('when register gets malformed JSON, then 400 MALFORMED_JSON', async () => {
      expectError(await api.post('/api/auth/register', { raw: '{"email": "x@y.z",' }), 400, 'MALFORMED_JSON');
    });

    test('when the password is wrong or the email unknown, then 401 INVALID_CREDENTIALS', async () => {
      const { email } = await api.buyer('wrongpw');
      expectError(
        await api.post('/api/auth/login', { body: { email, password: 'not-the-password' } }),
        401,
        'INVALID_CREDENTIALS',
      );
      expectError(
        await api.post('/api/auth/login', { body: { email: 'ghost@contract.test', password: 'whatever1' } }),
        401,
        'INVALID_CREDENTIALS',
      );
    });

    test('when a protected route gets no token, a forged token or an expired token, then 401', async () => {
      const { id } = await api.buyer('tokens');
      const forged = jwt.sign({ email: 'x@y.z', is_admin: true }, 'not-the-secret', { subject: String(id) });
      const expired = jwt.sign(
        { email: 'x@y.z', is_admin: false, exp: Math.floor(Date.now() / 1000) - 60 },
        target.jwtSecret,
        {
          subject: String(id),
        },
      );
      for (const path of ['/api/auth/me', '/api/cart', '/api/orders', '/api/notifications']) {
        expectError(await api.get(path), 401);
        expectError(await api.get(path, { token: forged }), 401);
        expectError(await api.get(path, { token: expired }), 401);
        expectError(await api.get(path, { headers: { authorization: 'Basic abc' } }), 401);
      }
    });
  });

  describe('catalogue', () => {
    test('when categories and products are listed, then the seed catalogue with ids from 1 and a total', async () => {
      const categories = await api.get('/api/categories');
      expect(categories.status).toBe(200);
      for (const [index, seed] of SEED_CATEGORIES.entries()) {
        expect(categories.body[index]).toEqual({ id: index + 1, name: seed.name, description: seed.description });
      }
      const page = await api.get('/api/products?limit=3&offset=0');
      expect(page.status).toBe(200);
      expect(page.body.items).toHaveLength(3);
      expect(page.body.total).toBeGreaterThanOrEqual(SEED_PRODUCTS.length);
      for (const item of page.body.items) expect(item).toEqual(PRODUCT_SHAPE);
      const books = await api.get('/api/products?category_id=2');
      expect(books.body.items.every((p: { category_id: number }) => p.category_id === 2)).toBe(true);
      const search = await api.get(`/api/products?q=${encodeURIComponent(SEED_PRODUCTS[1].name)}`);
      expect(search.body.items.map((p: { id: number }) => p.id)).toContain(2);
    });

    test('when one product is asked, then Product; unknown is 404, not an integer is 422', async () => {
      const product = await api.get('/api/products/2');
      expect(product.status).toBe(200);
      expect(product.body).toEqual({
        ...PRODUCT_SHAPE,
        id: 2,
        name: SEED_PRODUCTS[1].name,
        price: SEED_PRODUCTS[1].price,
      });
      expectError(await api.get('/api/products/99999999'), 404, 'NOT_FOUND');
      expectError(await api.get('/api/products/abc'), [400, 422]);
      expectError(await api.get('/api/products?limit=-1'), [400, 422]);
    });

    test('when an admin creates, changes and deletes, then 201, 200 and 204', async () => {
      const category = await api.post('/api/categories', {
        token: adminToken,
        body: { name: `Contract cat ${Date.now()}`, description: 'made by the contract suite' },
      });
      expect(category.status).toBe(201);
      expect(category.body).toEqual({
        id: expect.any(Number),
        name: expect.any(String),
        description: 'made by the contract suite',
      });
      expectError(await api.post('/api/categories', { token: adminToken, body: { name: category.body.name } }), 409);

      const created = await api.post('/api/products', {
        token: adminToken,
        body: { name: 'Contract lamp', description: 'bright', price: '19.90', category_id: category.body.id, stock: 4 },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(Number),
        name: 'Contract lamp',
        description: 'bright',
        price: '19.90',
        category_id: category.body.id,
        stock: 4,
      });
      const patched = await api.patch(`/api/products/${created.body.id}`, {
        token: adminToken,
        body: { price: '17.50', stock: 9 },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ id: created.body.id, price: '17.50', stock: 9, name: 'Contract lamp' });
      const deleted = await api.delete(`/api/products/${created.body.id}`, { token: adminToken });
      expect(deleted.status).toBe(204);
      expectError(await api.get(`/api/products/${created.body.id}`), 404);
      expectError(await api.delete(`/api/products/${created.body.id}`, { token: adminToken }), 404);
    });

    test('when a buyer or nobody uses an admin route, then 403 or 401 and nothing changes', async () => {
      const { token } = await api.buyer('notadmin');
      const before = (await api.get('/api/products/2')).body;
      const total = (await api.get('/api/products')).body.total;
      const attempts: [string, string, unknown][] = [
        ['POST', '/api/categories', { name: 'Buyer category' }],
        ['POST', '/api/products', { name: 'Buyer product', price: '1.00', category_id: 1, stock: 1 }],
        ['PATCH', '/api/products/2', { stock: 0 }],
        ['DELETE', '/api/products/2', undefined],
      ];
      for (const [method, path, body] of attempts) {
        expectError(await api.call(method, path, { token, body }), 403);
        expectError(await api.call(method, path, { body }), 401);
      }
      expect((await api.get('/api/products/2')).body).toEqual(before);
      expect((await api.get('/api/products')).body.total).toBe(total);
      expect((await api.get('/api/categories')).body.some((c: { name: string }) => c.name === 'Buyer category')).toBe(
        false,
      );
    });

    test.each([
      ['a negative price', { name: 'Bad', price: '-5.00', category_id: 1, stock: 1 }],
      ['a price with three decimals', { name: 'Bad', price: '1.005', category_id: 1, stock: 1 }],
      ['a string stock', { name: 'Bad', price: '1.00', category_id: 1, stock: 'many' }],
      ['a negative stock', { name: 'Bad', price: '1.00', category_id: 1, stock: -2 }],
      ['a missing name', { price: '1.00', category_id: 1, stock: 1 }],
    ])('when a product has %s, then 422 and no product is written', async (_what, body) => {
      const total = (await api.get('/api/products')).body.total;
      expectError(await api.post('/api/products', { token: adminToken, body }), 422, 'VALIDATION_ERROR');
      expect((await api.get('/api/products')).body.total).toBe(total);
    });

    test('when a product names an unknown category, or an admin sends malformed JSON, then 4xx and nothing written', async () => {
      const total = (await api.get('/api/products')).body.total;
      expectError(
        await api.post('/api/products', {
          token: adminToken,
          body: { name: 'Lost', price: '1.00', category_id: 99999, stock: 1 },
        }),
        [404, 422],
      );
      expectError(await api.post('/api/products', { token: adminToken, raw: '{"name": "x", ' }), 400, 'MALFORMED_JSON');
      expectError(await api.patch('/api/products/2', { token: adminToken, body: { stock: -1 } }), 422);
      expect((await api.get('/api/products')).body.total).toBe(total);
    });

    test('when a buyer reviews, then 201 Review listed under the product; bad ratings and unknown products fail', async () => {
      const { id, token } = await api.buyer('reviewer');
      const review = await api.post('/api/products/3/reviews', { token, body: { rating: 4, comment: 'Solid' } });
      expect(review.status).toBe(201);
      expect(review.body).toEqual({
        id: expect.any(Number),
        user_id: id,
        rating: 4,
        comment: 'Solid',
        created_at: expect.any(String),
      });
      const list = await api.get('/api/products/3/reviews');
      expect(list.status).toBe(200);
      expect(list.body).toContainEqual(review.body);
      for (const rating of [0, 6, 2.5, '5']) {
        expectError(await api.post('/api/products/3/reviews', { token, body: { rating, comment: 'x' } }), 422);
      }
      expectError(await api.post('/api/products/99999999/reviews', { token, body: { rating: 3, comment: 'x' } }), 404);
      expectError(await api.post('/api/products/3/reviews', { body: { rating: 3, comment: 'x' } }), 401);
      expect((await api.get('/api/products/3/reviews')).body).toHaveLength(list.body.length);
    });
  });

  describe('cart', () => {
    test('when a buyer adds, changes and removes lines, then Cart with exact totals; quantities add up', async () => {
      const { token } = await api.buyer('cart');
      expect((await api.get('/api/cart', { token })).body).toEqual({ items: [], total: '0.00' });
      const product = await newProduct(50, '0.10');
      const first = await api.post('/api/cart/items', { token, body: { product_id: product.id, quantity: 1 } });
      expect(first.status).toBe(201);
      const added = await api.post('/api/cart/items', { token, body: { product_id: product.id, quantity: 2 } });
      expect(added.status).toBe(201);
      expect(added.body).toEqual({
        items: [{ product_id: product.id, name: expect.any(String), price: '0.10', quantity: 3, line_total: '0.30' }],
        total: '0.30',
      });
      const changed = await api.patch(`/api/cart/items/${product.id}`, { token, body: { quantity: 7 } });
      expect(changed.status).toBe(200);
      expect(changed.body.total).toBe('0.70');
      const removed = await api.delete(`/api/cart/items/${product.id}`, { token });
      expect(removed.status).toBe(200);
      expect(removed.body).toEqual({ items: [], total: '0.00' });
      expectError(await api.delete(`/api/cart/items/${product.id}`, { token }), 404);
      expectError(await api.patch(`/api/cart/items/${product.id}`, { token, body: { quantity: 1 } }), 404);
    });

    test.each([
      ['zero', 0],
      ['negative', -1],
      ['fractional', 1.5],
      ['a string', '2'],
      ['huge', 1_000_000_000],
      ['null', null],
    ])('when the quantity is %s, then 422 and the cart is unchanged', async (_what, quantity) => {
      const { token } = await api.buyer('badqty');
      await api.post('/api/cart/items', { token, body: { product_id: 2, quantity: 1 } });
      const before = (await api.get('/api/cart', { token })).body;
      expectError(await api.post('/api/cart/items', { token, body: { product_id: 2, quantity } }), 422);
      expectError(await api.patch('/api/cart/items/2', { token, body: { quantity } }), 422);
      expect((await api.get('/api/cart', { token })).body).toEqual(before);
    });

    test('when the product is unknown, the body malformed or the stock short, then 404, 400 or 409 and nothing written', async () => {
      const { token } = await api.buyer('badcart');
      const product = await newProduct(2);
      expectError(await api.post('/api/cart/items', { token, body: { product_id: 99999999, quantity: 1 } }), 404);
      expectError(await api.post('/api/cart/items', { token, body: { product_id: 'abc', quantity: 1 } }), 422);
      expectError(
        await api.post('/api/cart/items', { token, raw: '{"product_id": 2, "quantity": ' }),
        400,
        'MALFORMED_JSON',
      );
      expectError(
        await api.post('/api/cart/items', { token, body: { product_id: product.id, quantity: 3 } }),
        409,
        'OUT_OF_STOCK',
      );
      expect((await api.get('/api/cart', { token })).body).toEqual({ items: [], total: '0.00' });
    });
  });

  describe('checkout and orders', () => {
    test('when the cart is empty, then 400 CART_EMPTY and no order', async () => {
      const { token } = await api.buyer('empty');
      expectError(await api.post('/api/orders/checkout', { token }), 400, 'CART_EMPTY');
      expect((await api.get('/api/orders', { token })).body).toEqual([]);
    });

    test(`when a buyer checks out, then the order is confirmed (${'monolith 201, microservices 202 then polled'}), mailed, notified; stock down, cart empty`, async () => {
      const buyer = await api.buyer('checkout');
      const product = await newProduct(10, '12.34');
      await api.post('/api/cart/items', { token: buyer.token, body: { product_id: product.id, quantity: 2 } });
      const { response, order } = await checkout(buyer.token);
      expect(response.body).toMatchObject({ id: expect.any(Number), total: '24.68' });
      expect(response.body.processing_duration_ms).toEqual(expect.any(Number));
      expect(order.status).toBe('confirmed');
      expect(order).toMatchObject({
        id: response.body.id,
        total: '24.68',
        failure_reason: null,
        items: [{ product_id: product.id, quantity: 2, unit_price: '12.34' }],
        created_at: expect.any(String),
        processing_duration_ms: expect.any(Number),
        completion_duration_ms: expect.any(Number),
        email_sent_at: expect.any(String),
      });
      expect(order.steps.length).toBeGreaterThan(0);
      for (const step of order.steps) {
        expect(step).toMatchObject({
          name: expect.any(String),
          service: expect.any(String),
          duration_ms: expect.any(Number),
        });
      }

      expect(await stockOf(product.id)).toBe(8);
      await pollUntil(
        async () => (await api.get('/api/cart', { token: buyer.token })).body,
        (cart) => cart.items.length === 0,
      );
      const mine = await api.get('/api/orders', { token: buyer.token });
      expect(mine.body.map((o: { id: number }) => o.id)).toEqual([order.id]);
      const mail = await target.mailbox.waitFor((mails) =>
        mails.some((m) => m.subject === confirmationSubject(target.stack, order.id)),
      );
      const confirmation = mail.find((m) => m.subject === confirmationSubject(target.stack, order.id));
      expect(confirmation?.to.map((t) => t.address)).toEqual([buyer.email]);
      const notifications = await pollUntil(
        async () => (await api.get('/api/notifications', { token: buyer.token })).body,
        (list) => Array.isArray(list) && list.length > 0,
      );
      expect(notifications[0]).toEqual({
        id: expect.any(Number),
        type: expect.any(String),
        message: expect.any(String),
        created_at: expect.any(String),
        read: expect.any(Boolean),
      });

      // Owner or admin only.
      const stranger = await api.buyer('stranger');
      expectError(await api.get(`/api/orders/${order.id}`, { token: stranger.token }), 404);
      expect((await api.get(`/api/orders/${order.id}`, { token: adminToken })).status).toBe(200);
      expectError(await api.get('/api/orders/99999999', { token: buyer.token }), 404);
      expectError(await api.get('/api/orders/abc', { token: buyer.token }), [400, 422]);
    });

    test('when the same Idempotency-Key is sent twice, then one order', async () => {
      const buyer = await api.buyer('idem');
      const product = await newProduct(10);
      await api.post('/api/cart/items', { token: buyer.token, body: { product_id: product.id, quantity: 1 } });
      const key = `contract-${Date.now()}`;
      const first = await checkout(buyer.token, { 'Idempotency-Key': key });
      const again = await api.post('/api/orders/checkout', { token: buyer.token, headers: { 'Idempotency-Key': key } });
      expect([200, 201, 202]).toContain(again.status);
      expect(again.body.id).toBe(first.order.id);
      expect((await api.get('/api/orders', { token: buyer.token })).body).toHaveLength(1);
      expect(await stockOf(product.id)).toBe(9);
    });

    test('when two buyers want the last unit, then one order is confirmed and the other refused out_of_stock', async () => {
      const product = await newProduct(1);
      const a = await api.buyer('last-a');
      const b = await api.buyer('last-b');
      for (const buyer of [a, b]) {
        const added = await api.post('/api/cart/items', {
          token: buyer.token,
          body: { product_id: product.id, quantity: 1 },
        });
        expect(added.status).toBe(201);
      }
      const first = await checkout(a.token);
      expect(first.order.status).toBe('confirmed');
      const second = await checkout(b.token);
      if (second.order === null) {
        expectError(second.response, 409, 'OUT_OF_STOCK');
      } else {
        expect(target.stack).toBe('microservices');
        expect(second.order).toMatchObject({ status: 'cancelled', failure_reason: 'out_of_stock' });
      }
      expect(await stockOf(product.id)).toBe(0);
    });
  });

  describe('login limits and hostile input', () => {
    // Each test that fails logins on purpose does it from an address of its own (127.0.0.x is all loopback), so the
    // per-address limit it fills never locks out the rest of the suite on 127.0.0.1.
    test('when one account gets LOGIN_FAILURE_LIMIT wrong passwords, then 429 RATE_LIMITED with Retry-After, even for the right password; other accounts still log in', async () => {
      const from = new ApiClient(target.baseUrl, { localAddress: '127.0.0.21' });
      const victim = await api.buyer('lockout');
      const other = await api.buyer('lockout-other');
      const ghost = uniqueEmail('ghost');
      for (const email of [victim.email, ghost]) {
        for (let i = 0; i < ACCOUNT_FAILURES; i++) {
          const response = await from.post('/api/auth/login', { body: { email, password: `wrong-${i}-password` } });
          expectError(response, 401, 'INVALID_CREDENTIALS');
        }
        // An unknown email locks the same way: the lockout does not tell who has an account.
        const locked = await from.post('/api/auth/login', { body: { email, password: 'wrong-again' } });
        expectError(locked, 429, 'RATE_LIMITED');
        const retryAfter = Number(locked.headers.get('retry-after'));
        expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= WINDOW_S, `${retryAfter}`).toBe(true);
      }
      // Locked means locked: the right password waits too, from any address, whatever the case of the email.
      const right = { email: victim.email.toUpperCase(), password: 'contract-password' };
      expectError(await api.post('/api/auth/login', { body: right }), 429, 'RATE_LIMITED');
      expect(
        (await from.post('/api/auth/login', { body: { email: other.email, password: 'contract-password' } })).status,
      ).toBe(200);
    });

    test('when one address gets LOGIN_ADDRESS_FAILURE_LIMIT failures across many emails, then 429 for that address only; successes do not count', async () => {
      const from = new ApiClient(target.baseUrl, { localAddress: '127.0.0.22' });
      const buyer = await api.buyer('sprayed');
      const right = { email: buyer.email, password: 'contract-password' };
      for (let i = 0; i < ACCOUNT_FAILURES + 2; i++) {
        expect((await from.post('/api/auth/login', { body: right })).status).toBe(200);
      }
      for (let i = 0; i < ADDRESS_FAILURES; i++) {
        const response = await from.post('/api/auth/login', {
          body: { email: `spray.${i}.${buyer.id}@contract.test`, password: 'guess-password' },
        });
        expectError(response, 401, 'INVALID_CREDENTIALS');
      }
      const limited = await from.post('/api/auth/login', { body: right });
      expectError(limited, 429, 'RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // A forwarded-for header of the client's own choosing does not make it someone else.
      const spoofed = await from.post('/api/auth/login', {
        body: right,
        headers: { 'x-forwarded-for': '203.0.113.7' },
      });
      expectError(spoofed, 429, 'RATE_LIMITED');
      expect((await api.post('/api/auth/login', { body: right })).status).toBe(200);
    });

    test('when the email is unknown, then login still compares a bcrypt hash, so it takes about as long as a wrong password', async () => {
      const from = new ApiClient(target.baseUrl, { localAddress: '127.0.0.23' });
      const { email } = await api.buyer('timing');
      const timed = async (body: { email: string; password: string }) => {
        const started = performance.now();
        expectError(await from.post('/api/auth/login', { body }), 401, 'INVALID_CREDENTIALS');
        return performance.now() - started;
      };
      const wrongPassword: number[] = [];
      const unknownEmail: number[] = [];
      for (let i = 0; i < 7; i++) {
        wrongPassword.push(await timed({ email, password: `wrong-${i}-password` }));
        unknownEmail.push(await timed({ email: uniqueEmail('nobody'), password: `wrong-${i}-password` }));
      }
      // Not a time budget: two medians measured side by side. Skipping bcrypt for an unknown email makes the ratio
      // about 0.05; comparing against a dummy hash of the same cost makes it about 1.
      expect(median(unknownEmail), JSON.stringify({ wrongPassword, unknownEmail })).toBeGreaterThan(
        median(wrongPassword) * 0.5,
      );
    });

    test("when a password is longer than bcrypt's 72 bytes, then register is 422 and login never succeeds with another ending", async () => {
      // 73 ASCII bytes, and 37 characters that are 74 bytes in UTF-8: the limit counts bytes.
      for (const password of ['a'.repeat(73), 'é'.repeat(37)]) {
        const email = uniqueEmail('long');
        const refused = await api.post('/api/auth/register', { body: { email, password, full_name: 'Long Password' } });
        expectError(refused, 422, 'VALIDATION_ERROR');
        expectError(await api.post('/api/auth/login', { body: { email, password } }), 401, 'INVALID_CREDENTIALS');
      }
      const email = uniqueEmail('exact');
      const password = 'é'.repeat(36);
      const created = await api.post('/api/auth/register', { body: { email, password, full_name: 'Exactly 72' } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect((await api.post('/api/auth/login', { body: { email, password } })).status).toBe(200);
      const longer = await api.post('/api/auth/login', { body: { email, password: `${password}-another-ending` } });
      expectError(longer, [401, 422]);
    });

    test('when text input holds a NUL byte, then 422 VALIDATION_ERROR and nothing is written', async () => {
      const { token } = await api.buyer('nul');
      const email = uniqueEmail('nul');
      const register = { email, password: 'contract-password', full_name: 'Nul\u0000Byte' };
      expectError(await api.post('/api/auth/register', { body: register }), 422, 'VALIDATION_ERROR');
      expectError(await api.post('/api/auth/login', { body: { email, password: 'contract-password' } }), 401);
      expectError(
        await api.post('/api/auth/login', { body: { email: `nul\u0000${email}`, password: 'contract-password' } }),
        422,
        'VALIDATION_ERROR',
      );
      expectError(await api.get(`/api/products?q=${encodeURIComponent('lamp\u0000')}`), 422, 'VALIDATION_ERROR');
      const reviews = (await api.get('/api/products/3/reviews')).body.length;
      const review = { rating: 4, comment: 'bad\u0000byte' };
      expectError(await api.post('/api/products/3/reviews', { token, body: review }), 422, 'VALIDATION_ERROR');
      expect((await api.get('/api/products/3/reviews')).body).toHaveLength(reviews);
    });

    test.each(['0x10', '1e1', '+5', ' 7', '1.0', '2147483648'])(
      'when an id is %j, then 422 VALIDATION_ERROR wherever an id is read',
      async (raw) => {
        const { token } = await api.buyer('ids');
        const id = encodeURIComponent(raw);
        const before = (await api.get('/api/products')).body;
        const calls: [string, string, { token?: string; body?: unknown }][] = [
          ['GET', `/api/products/${id}`, {}],
          ['GET', `/api/products/${id}/reviews`, {}],
          ['POST', `/api/products/${id}/reviews`, { token, body: { rating: 3, comment: 'x' } }],
          ['PATCH', `/api/products/${id}`, { token: adminToken, body: { stock: 1 } }],
          ['DELETE', `/api/products/${id}`, { token: adminToken }],
          ['GET', `/api/products?category_id=${id}`, {}],
          ['PATCH', `/api/cart/items/${id}`, { token, body: { quantity: 1 } }],
          ['DELETE', `/api/cart/items/${id}`, { token }],
          ['GET', `/api/orders/${id}`, { token }],
        ];
        for (const [method, path, options] of calls) {
          const response = await api.call(method, path, options);
          expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBe(422);
          expectError(response, 422, 'VALIDATION_ERROR');
        }
        expect((await api.get('/api/products')).body).toEqual(before);
      },
    );

    test('when Node itself refuses a request (a malformed request line or header, 100 KB of headers), then the contract error shape in JSON', async () => {
      await expectJsonRefusals(target.baseUrl);
    });
  });

  describe('lab endpoints (admin)', () => {
    test('when a buyer or nobody calls them, then 403 or 401', async () => {
      const { token } = await api.buyer('labbuyer');
      for (const [method, path] of [
        ['GET', '/api/lab/config'],
        ['PUT', '/api/lab/config'],
        ['POST', '/api/lab/reset'],
        ['GET', '/api/lab/orders'],
        ['GET', '/api/lab/audit'],
        ['GET', '/api/lab/fixes'],
        ['PUT', '/api/lab/fixes'],
      ]) {
        expectError(await api.call(method, path, { token, body: method === 'PUT' ? {} : undefined }), 403);
        expectError(await api.call(method, path, { body: method === 'PUT' ? {} : undefined }), 401);
      }
    });

    test('when the fixes are read, then the monolith answers them, all off, and the gateway 404 NOT_APPLICABLE', async () => {
      const fixes = await api.get('/api/lab/fixes', { token: adminToken });
      if (target.stack === 'monolith') {
        expect(fixes.status).toBe(200);
        expect(fixes.body).toEqual({
          short_lock: false,
          payment_outside_transaction: false,
          async_email: false,
          accept_then_process: false,
        });
        expectError(await api.put('/api/lab/fixes', { token: adminToken, body: { short_lock: 'yes' } }), 422);
      } else {
        expectError(fixes, 404);
        expect(fixes.body.error.code).toBe('NOT_APPLICABLE');
      }
    });

    test('when the knobs are read and changed, then the new config is answered; bad knobs are 422 and change nothing', async () => {
      const before = await api.get('/api/lab/config', { token: adminToken });
      expect(before.status).toBe(200);
      expect(before.body).toEqual({
        payment_delay_ms: expect.any(Number),
        email_delay_ms: expect.any(Number),
        payment_failure_rate: expect.any(Number),
      });
      const changed = await api.put('/api/lab/config', {
        token: adminToken,
        body: { email_delay_ms: before.body.email_delay_ms + 1 },
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({ ...before.body, email_delay_ms: before.body.email_delay_ms + 1 });
      for (const body of [
        { payment_failure_rate: 1.5 },
        { payment_delay_ms: -1 },
        { email_delay_ms: 'slow' },
        { colour: 'red' },
      ]) {
        expectError(await api.put('/api/lab/config', { token: adminToken, body }), 422);
      }
      expectError(await api.put('/api/lab/config', { token: adminToken, raw: '{"email_delay_ms": ' }), 400);
      const restored = await api.put('/api/lab/config', { token: adminToken, body: before.body });
      expect(restored.body).toEqual(before.body);
    });

    test('when orders and the audit are read, then every order with its payments and emails, and the stock', async () => {
      const since = new Date(Date.now() - 60_000).toISOString();
      const buyer = await api.buyer('audit');
      const product = await newProduct(5);
      await api.post('/api/cart/items', { token: buyer.token, body: { product_id: product.id, quantity: 2 } });
      const { order } = await checkout(buyer.token);
      expect(order.status).toBe('confirmed');

      const orders = await api.get(`/api/lab/orders?since=${encodeURIComponent(since)}`, { token: adminToken });
      expect(orders.status).toBe(200);
      expect(orders.body).toContainEqual(
        expect.objectContaining({
          id: order.id,
          status: 'confirmed',
          created_at: expect.any(String),
          processing_duration_ms: expect.any(Number),
          completion_duration_ms: expect.any(Number),
          failure_reason: null,
        }),
      );
      const audit = await pollUntil(
        async () => (await api.get(`/api/lab/audit?since=${encodeURIComponent(since)}`, { token: adminToken })).body,
        (body) => body?.orders?.some((o: { id: number; emails: number }) => o.id === order.id && o.emails === 1),
      );
      expect(audit.orders).toContainEqual({
        id: order.id,
        status: 'confirmed',
        failure_reason: null,
        payments: 1,
        emails: 1,
        provider_charges: 1,
      });
      expect(audit.orphan_charges).toEqual([]);
      expect(audit.products).toContainEqual({ id: product.id, name: expect.any(String), stock: 3 });
      const future = new Date(Date.now() + 3_600_000).toISOString();
      const none = await api.get(`/api/lab/audit?since=${encodeURIComponent(future)}`, { token: adminToken });
      expect(none.body.orders).toEqual([]);
      expectError(await api.get('/api/lab/orders?since=not-a-date', { token: adminToken }), [400, 422]);
    });

    test('when the lab is reset, then orders and carts are gone and the seed catalogue and stock are back', async () => {
      const buyer = await api.buyer('reset');
      await api.patch('/api/products/1', { token: adminToken, body: { stock: 0 } });
      await api.post('/api/cart/items', { token: buyer.token, body: { product_id: 2, quantity: 1 } });
      const reset = await api.post('/api/lab/reset', { token: adminToken });
      expect(reset.status).toBe(200);
      const audit = (await api.get('/api/lab/audit', { token: adminToken })).body;
      expect(audit.orders).toEqual([]);
      expect(audit.products).toEqual(
        SEED_PRODUCTS.map((p, index) => ({ id: index + 1, name: p.name, stock: p.stock })),
      );
      expect((await api.get('/api/cart', { token: buyer.token })).body).toEqual({ items: [], total: '0.00' });
      expect((await api.get('/api/orders', { token: buyer.token })).body).toEqual([]);
      // Accounts stay: the admin and the buyer can still log in.
      expect((await api.get('/api/auth/me', { token: buyer.token })).status).toBe(200);
    });
  });

  describe('the same details on both stacks', () => {
    test('when a checkout is repeated with the same Idempotency-Key, then the replay says Idempotent-Replayed: true and the first answer does not', async () => {
      const buyer = await api.buyer('replay');
      const product = await newProduct(10);
      await api.post('/api/cart/items', { token: buyer.token, body: { product_id: product.id, quantity: 1 } });
      const key = `replay-${Date.now()}`;
      const first = await api.post('/api/orders/checkout', { token: buyer.token, headers: { 'Idempotency-Key': key } });
      expect([201, 202], JSON.stringify(first.body)).toContain(first.status);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const again = await api.post('/api/orders/checkout', { token: buyer.token, headers: { 'Idempotency-Key': key } });
      expect(again.status).toBe(first.status);
      expect(again.body.id).toBe(first.body.id);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    });

    test('when an order is final, then processing_duration_ms, completion_duration_ms and every steps[].duration_ms are whole milliseconds', async () => {
      const buyer = await api.buyer('whole-ms');
      const product = await newProduct(10);
      await api.post('/api/cart/items', { token: buyer.token, body: { product_id: product.id, quantity: 1 } });
      const { response, order } = await checkout(buyer.token);
      const whole = (value: unknown) => Number.isInteger(value);
      const fields = (o: {
        processing_duration_ms: unknown;
        completion_duration_ms: unknown;
        steps: { duration_ms: unknown }[];
      }) => [
        o.processing_duration_ms,
        ...(o.completion_duration_ms === null ? [] : [o.completion_duration_ms]),
        ...o.steps.map((step) => step.duration_ms),
      ];
      for (const body of [response.body, order, (await api.get('/api/orders', { token: buyer.token })).body[0]]) {
        expect(fields(body).every(whole), JSON.stringify(fields(body))).toBe(true);
      }
      const listed = (await api.get('/api/lab/orders', { token: adminToken })).body.find(
        (row: { id: number }) => row.id === order.id,
      );
      expect([listed.processing_duration_ms, listed.completion_duration_ms].every(whole), JSON.stringify(listed)).toBe(
        true,
      );
    });

    test('when an error is answered, then error.details is always there: null with nothing to add, the field list on VALIDATION_ERROR', async () => {
      const { token } = await api.buyer('details');
      const nothingToAdd: [string, ApiResponse][] = [
        ['no token', await api.get('/api/auth/me')],
        ['unknown product', await api.get('/api/products/99999999')],
        ['unknown route', await api.get('/api/no-such-thing', { token })],
        ['empty cart', await api.post('/api/orders/checkout', { token })],
        [
          'wrong password',
          await api.post('/api/auth/login', { body: { email: 'nobody@contract.test', password: 'x' } }),
        ],
        ['not admin', await api.post('/api/lab/reset', { token })],
        [
          'malformed JSON',
          await api.call('POST', '/api/auth/register', {
            raw: '{"email":',
            headers: { 'content-type': 'application/json' },
          }),
        ],
      ];
      for (const [what, response] of nothingToAdd) {
        expect(response.status, what).toBeGreaterThanOrEqual(400);
        expect(response.body.error, `${what}: ${JSON.stringify(response.body)}`).toEqual({
          code: expect.any(String),
          message: expect.any(String),
          details: null,
        });
      }
      const invalid = await api.post('/api/auth/register', {
        body: { email: 'not-an-email', password: 'x', full_name: '' },
      });
      expectError(invalid, 422, 'VALIDATION_ERROR');
      expect(invalid.body.error.details).toEqual(
        expect.arrayContaining([{ field: expect.any(String), message: expect.any(String) }]),
      );
    });
  });
}
