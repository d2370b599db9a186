import { SEED_CATEGORIES, SEED_PRODUCTS } from '@checkout-lab/kit';
import {
  createTestDatabase,
  type TestDatabase,
  testAmqpUrl,
  testServerUrl,
  uniqueName,
} from '@checkout-lab/kit/testing';
import { deleteBrokerObjects } from '@checkout-lab/stacks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { internalHeaders } from '@checkout-lab/stacks/testing';
import { loadConfig } from '../src/config';
import { type RunningService, startProductService } from '../src/server';

// biome-ignore lint/suspicious/noExplicitAny: the tests read arbitrary JSON answers
const jsonOf = (response: Response): Promise<any> => response.json();

// As the gateway calls for a user: an internal token naming them (bare x-user-* headers are an anonymous call).
const ADMIN = internalHeaders({ userId: 1, email: 'admin@test.lab', isAdmin: true });
const BUYER = internalHeaders({ userId: 7, email: 'buyer@test.lab' });

let db: TestDatabase;
let service: RunningService;
let amqpUrl: string;
const prefix = uniqueName('products_api');

beforeAll(async () => {
  amqpUrl = await testAmqpUrl();
  db = await createTestDatabase('products_api');
  service = await startProductService(
    loadConfig({
      DATABASE_URL: testServerUrl(),
      DB_NAME: db.name,
      PRODUCT_PORT: '0',
      AMQP_URL: amqpUrl,
      RABBIT_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    }),
  );
});

afterAll(async () => {
  await service?.stop();
  await db?.drop();
  await deleteBrokerObjects(amqpUrl, prefix);
});

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${service.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...internalHeaders(), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('the seed catalogue', () => {
  test('when the service starts on an empty database, then the seed categories and products have ids from 1', async () => {
    const categories = await jsonOf(await call('GET', '/api/categories'));
    expect(categories.map((c: { id: number; name: string }) => [c.id, c.name])).toEqual(
      SEED_CATEGORIES.map((c, index) => [index + 1, c.name]),
    );
    const first = await jsonOf(await call('GET', '/api/products/1'));
    expect(first).toEqual({
      id: 1,
      name: SEED_PRODUCTS[0].name,
      description: SEED_PRODUCTS[0].description,
      price: SEED_PRODUCTS[0].price,
      category_id: 1,
      stock: SEED_PRODUCTS[0].stock,
    });
  });

  test('when products are listed with a limit and a search, then a page and the total', async () => {
    const page = await jsonOf(await call('GET', '/api/products?limit=2&offset=1'));
    expect(page.items.map((p: { id: number }) => p.id)).toEqual([2, 3]);
    expect(page.total).toBe(SEED_PRODUCTS.length);
    const found = await jsonOf(await call('GET', `/api/products?q=${encodeURIComponent('game console')}`));
    expect(found.items.map((p: { id: number }) => p.id)).toContain(1);
    const none = await jsonOf(await call('GET', '/api/products?q=%25'));
    expect(none.total).toBe(0);
  });

  test.each([
    '/api/products?limit=0',
    '/api/products?limit=1000',
    '/api/products?category_id=abc',
    '/api/products?offset=-1',
  ])('when the query is %s, then 422', async (path) => {
    const response = await call('GET', path);
    expect(response.status).toBe(422);
    expect((await jsonOf(response)).error.code).toBe('VALIDATION_ERROR');
  });

  test('when a product id is unknown or not an integer, then 404 or 422 in the contract shape', async () => {
    const unknown = await call('GET', '/api/products/999999');
    expect(unknown.status).toBe(404);
    expect((await jsonOf(unknown)).error.code).toBe('NOT_FOUND');
    expect((await call('GET', '/api/products/abc')).status).toBe(422);
    expect((await call('GET', '/api/products/1.5')).status).toBe(422);
  });
});

describe('admin catalogue changes', () => {
  test('when an admin creates a category and a product, then 201 with money as a two-decimal string', async () => {
    const category = await call('POST', '/api/categories', { name: 'Garden', description: 'Outside' }, ADMIN);
    expect(category.status).toBe(201);
    const { id: categoryId } = await jsonOf(category);
    const created = await call(
      'POST',
      '/api/products',
      { name: 'Rake', price: 12.5, category_id: categoryId, stock: 3 },
      ADMIN,
    );
    expect(created.status).toBe(201);
    const product = await jsonOf(created);
    expect(product).toMatchObject({ name: 'Rake', description: '', price: '12.50', category_id: categoryId, stock: 3 });

    const patched = await jsonOf(await call('PATCH', `/api/products/${product.id}`, { stock: 20, price: '9' }, ADMIN));
    expect(patched).toMatchObject({ id: product.id, stock: 20, price: '9.00' });

    expect((await call('DELETE', `/api/products/${product.id}`, undefined, ADMIN)).status).toBe(204);
    expect((await call('GET', `/api/products/${product.id}`)).status).toBe(404);
  });

  test('when the category name exists, then 409 CATEGORY_EXISTS', async () => {
    const response = await call('POST', '/api/categories', { name: 'Books' }, ADMIN);
    expect(response.status).toBe(409);
    expect((await jsonOf(response)).error.code).toBe('CATEGORY_EXISTS');
  });

  test('when a buyer or nobody tries, then 403 or 401 and nothing changes', async () => {
    const before = await jsonOf(await call('GET', '/api/products/2'));
    expect((await call('PATCH', '/api/products/2', { stock: 0 }, BUYER)).status).toBe(403);
    expect((await call('PATCH', '/api/products/2', { stock: 0 })).status).toBe(401);
    const claimed = { 'x-user-id': '1', 'x-user-email': 'admin@test.lab', 'x-user-admin': 'true' };
    const bare = await fetch(`${service.url}/api/products/2`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...claimed },
      body: '{"stock":0}',
    });
    expect(bare.status).toBe(401);
    expect((await call('DELETE', '/api/products/2', undefined, BUYER)).status).toBe(403);
    expect((await call('POST', '/api/categories', { name: 'Nope' }, BUYER)).status).toBe(403);
    expect(await jsonOf(await call('GET', '/api/products/2'))).toEqual(before);
  });

  test.each([
    ['a negative price', { name: 'X', price: '-1.00', category_id: 1, stock: 1 }],
    ['three decimals', { name: 'X', price: '1.999', category_id: 1, stock: 1 }],
    ['a negative stock', { name: 'X', price: '1.00', category_id: 1, stock: -1 }],
    ['a string stock', { name: 'X', price: '1.00', category_id: 1, stock: '5' }],
    ['no name', { price: '1.00', category_id: 1, stock: 1 }],
  ])('when a product has %s, then 422 and no product', async (_what, body) => {
    const { total } = await jsonOf(await call('GET', '/api/products'));
    const response = await call('POST', '/api/products', body, ADMIN);
    expect(response.status).toBe(422);
    expect((await jsonOf(await call('GET', '/api/products'))).total).toBe(total);
  });

  test('when the category does not exist, then 404 and no product', async () => {
    const response = await call(
      'POST',
      '/api/products',
      { name: 'X', price: '1.00', category_id: 9999, stock: 1 },
      ADMIN,
    );
    expect(response.status).toBe(404);
  });

  test('when a patch is empty or has unknown fields, then 422', async () => {
    expect((await call('PATCH', '/api/products/2', {}, ADMIN)).status).toBe(422);
    expect((await call('PATCH', '/api/products/2', { colour: 'red' }, ADMIN)).status).toBe(422);
  });

  test('when the body is not JSON, then 400 MALFORMED_JSON', async () => {
    const response = await call('POST', '/api/categories', '{"name": ', ADMIN);
    expect(response.status).toBe(400);
    expect((await jsonOf(response)).error.code).toBe('MALFORMED_JSON');
  });
});

describe('reviews', () => {
  test('when a buyer reviews, then 201 and the review is listed under the product', async () => {
    const response = await call('POST', '/api/products/3/reviews', { rating: 5, comment: 'Great' }, BUYER);
    expect(response.status).toBe(201);
    const review = await jsonOf(response);
    expect(review).toEqual({
      id: expect.any(Number),
      user_id: 7,
      rating: 5,
      comment: 'Great',
      created_at: expect.any(String),
    });
    expect(await jsonOf(await call('GET', '/api/products/3/reviews'))).toContainEqual(review);
  });

  test('when the rating is out of range, the product unknown or nobody signed in, then 422, 404 or 401', async () => {
    expect((await call('POST', '/api/products/3/reviews', { rating: 6, comment: 'x' }, BUYER)).status).toBe(422);
    expect((await call('POST', '/api/products/3/reviews', { rating: 0, comment: 'x' }, BUYER)).status).toBe(422);
    expect((await call('POST', '/api/products/999999/reviews', { rating: 3, comment: 'x' }, BUYER)).status).toBe(404);
    expect((await call('POST', '/api/products/3/reviews', { rating: 3, comment: 'x' })).status).toBe(401);
    expect((await call('GET', '/api/products/999999/reviews')).status).toBe(404);
  });
});

describe('lab', () => {
  test('when reset, then the seed catalogue and its stock come back exactly, and the audit shows it', async () => {
    await call('PATCH', '/api/products/1', { stock: 0, name: 'Renamed' }, ADMIN);
    await call('POST', '/api/categories', { name: 'Temporary' }, ADMIN);
    expect((await call('POST', '/internal/lab/reset')).status).toBe(200);

    const audit = await jsonOf(await call('GET', '/internal/lab/audit'));
    expect(audit.products).toEqual(SEED_PRODUCTS.map((p, index) => ({ id: index + 1, name: p.name, stock: p.stock })));
    expect((await jsonOf(await call('GET', '/api/categories'))).length).toBe(SEED_CATEGORIES.length);
    expect(await jsonOf(await call('GET', '/api/products/3/reviews'))).toEqual([]);

    // A product created after the reset gets the next id after the seed.
    const created = await jsonOf(
      await call('POST', '/api/products', { name: 'Next', price: '1.00', category_id: 1, stock: 1 }, ADMIN),
    );
    expect(created.id).toBe(SEED_PRODUCTS.length + 1);
  });

  test('when /health is asked, then ok with the database and the broker', async () => {
    const response = await call('GET', '/health');
    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toMatchObject({
      status: 'ok',
      service: 'product-service',
      database: 'ok',
      broker: 'ok',
    });
  });
});
