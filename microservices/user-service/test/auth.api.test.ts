import { tokenScope } from '@checkout-lab/kit';
import { createTestDatabase, type TestDatabase, testServerUrl } from '@checkout-lab/kit/testing';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { internalHeaders } from '@checkout-lab/stacks/testing';
import { loadConfig } from '../src/config';
import { type RunningService, startUserService } from '../src/server';

// biome-ignore lint/suspicious/noExplicitAny: the tests read arbitrary JSON answers
const jsonOf = (response: Response): Promise<any> => response.json();

const SECRET = 'user-service-test-secret';
let db: TestDatabase;
let service: RunningService;

beforeAll(async () => {
  db = await createTestDatabase('users_api');
  service = await startUserService(
    loadConfig({
      DATABASE_URL: testServerUrl(),
      DB_NAME: db.name,
      USER_PORT: '0',
      JWT_SECRET: SECRET,
      LAB_ADMIN_EMAIL: 'boss@test.lab',
      LAB_ADMIN_PASSWORD: 'boss-password',
      BCRYPT_ROUNDS: '4',
      LOG_LEVEL: 'silent',
    }),
  );
});

afterAll(async () => {
  await service?.stop();
  await db?.drop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('register', () => {
  test('when the input is valid, then 201 and the user without any password field', async () => {
    const response = await post('/api/auth/register', {
      email: 'Ada@Example.com',
      password: 'secret-123',
      full_name: 'Ada Lovelace',
    });
    expect(response.status).toBe(201);
    const user = await jsonOf(response);
    expect(user).toEqual({
      id: expect.any(Number),
      email: 'ada@example.com',
      full_name: 'Ada Lovelace',
      is_admin: false,
      created_at: expect.any(String),
    });
  });

  test('when the email is taken, then 409 EMAIL_TAKEN', async () => {
    const body = { email: 'twice@example.com', password: 'secret-123', full_name: 'Twice' };
    expect((await post('/api/auth/register', body)).status).toBe(201);
    const response = await post('/api/auth/register', { ...body, email: 'TWICE@example.com' });
    expect(response.status).toBe(409);
    expect((await jsonOf(response)).error.code).toBe('EMAIL_TAKEN');
  });

  test.each([
    ['a bad email', { email: 'not-an-email', password: 'secret-123', full_name: 'X' }],
    ['a short password', { email: 'short@example.com', password: 'short', full_name: 'X' }],
    ['a missing name', { email: 'noname@example.com', password: 'secret-123' }],
    ['a number for the email', { email: 42, password: 'secret-123', full_name: 'X' }],
  ])('when the body has %s, then 422 VALIDATION_ERROR and no account', async (_what, body) => {
    const response = await post('/api/auth/register', body);
    expect(response.status).toBe(422);
    const json = await jsonOf(response);
    expect(json.error.code).toBe('VALIDATION_ERROR');
    expect(Array.isArray(json.error.details)).toBe(true);
    if (typeof body.email === 'string' && body.email.includes('@')) {
      const login = await post('/api/auth/login', { email: body.email, password: body.password });
      expect(login.status).toBe(401);
    }
  });

  test('when the body is not JSON, then 400 MALFORMED_JSON', async () => {
    const response = await post('/api/auth/register', '{"email": ');
    expect(response.status).toBe(400);
    expect((await jsonOf(response)).error.code).toBe('MALFORMED_JSON');
  });
});

describe('login', () => {
  test('when the password is right, then a bearer token whose claims name the user', async () => {
    await post('/api/auth/register', { email: 'login@example.com', password: 'secret-123', full_name: 'L' });
    const response = await post('/api/auth/login', { email: 'login@example.com', password: 'secret-123' });
    expect(response.status).toBe(200);
    const body = await jsonOf(response);
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 3600 });
    // Issued by and for the microservices: the monolith, verifying its own scope, refuses it.
    const claims = jwt.verify(body.access_token, SECRET, {
      algorithms: ['HS256'],
      ...tokenScope('microservices'),
    }) as jwt.JwtPayload;
    expect(() => jwt.verify(body.access_token, SECRET, { algorithms: ['HS256'], ...tokenScope('monolith') })).toThrow();
    expect(claims.email).toBe('login@example.com');
    expect(claims.is_admin).toBe(false);
    expect(Number(claims.sub)).toBeGreaterThan(0);
  });

  test('when the password is wrong or the email unknown, then 401 INVALID_CREDENTIALS', async () => {
    for (const body of [
      { email: 'login@example.com', password: 'wrong-password' },
      { email: 'nobody@example.com', password: 'secret-123' },
    ]) {
      const response = await post('/api/auth/login', body);
      expect(response.status).toBe(401);
      expect((await jsonOf(response)).error.code).toBe('INVALID_CREDENTIALS');
    }
  });

  test('when the service starts, then the configured admin can log in and is an admin', async () => {
    const response = await post('/api/auth/login', { email: 'boss@test.lab', password: 'boss-password' });
    expect(response.status).toBe(200);
    const claims = jwt.decode((await jsonOf(response)).access_token) as jwt.JwtPayload;
    expect(claims.is_admin).toBe(true);
  });
});

describe('me', () => {
  test('when the gateway names a user in its internal token, then that user; bare x-user-id is anonymous', async () => {
    const created = await jsonOf(
      await post('/api/auth/register', { email: 'me@example.com', password: 'secret-123', full_name: 'Me' }),
    );
    const response = await fetch(`${service.url}/api/auth/me`, { headers: internalHeaders({ userId: created.id }) });
    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toEqual(created);
    const bare = await fetch(`${service.url}/api/auth/me`, { headers: { 'x-user-id': String(created.id) } });
    expect(bare.status).toBe(401);
  });

  test('when the gateway looks a user up by id, then the record; an unknown id 404; no internal token 401', async () => {
    const created = await jsonOf(
      await post('/api/auth/register', { email: 'lookup@example.com', password: 'secret-123', full_name: 'L' }),
    );
    const found = await fetch(`${service.url}/internal/users/${created.id}`, { headers: internalHeaders() });
    expect(found.status).toBe(200);
    expect(await jsonOf(found)).toEqual(created);
    const missing = await fetch(`${service.url}/internal/users/987654`, { headers: internalHeaders() });
    expect(missing.status).toBe(404);
    expect((await jsonOf(missing)).error.code).toBe('USER_NOT_FOUND');
    expect((await fetch(`${service.url}/internal/users/abc`, { headers: internalHeaders() })).status).toBe(422);
    expect((await fetch(`${service.url}/internal/users/${created.id}`)).status).toBe(401);
  });

  test('when no identity is forwarded, then 401 in the contract shape', async () => {
    const response = await fetch(`${service.url}/api/auth/me`);
    expect(response.status).toBe(401);
    expect((await jsonOf(response)).error).toMatchObject({ code: 'UNAUTHORIZED', message: expect.any(String) });
  });
});

test('when /health is asked, then ok with the service name, and the request id comes back', async () => {
  const response = await fetch(`${service.url}/health`, { headers: { 'x-request-id': 'trace-me' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('x-request-id')).toBe('trace-me');
  expect(await jsonOf(response)).toMatchObject({ status: 'ok', service: 'user-service' });
});
