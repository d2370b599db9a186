import { DEFAULT_ADMIN, dropDatabase } from '@checkout-lab/kit';
import {
  createTestDatabase,
  startTestMailCatcher,
  type TestDatabase,
  type TestMail,
  testServerUrl,
  uniqueName,
  testPaymentProvider,
} from '@checkout-lab/kit/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMonolith } from '@checkout-lab/monolith';
import { type RunningDashboard, startDashboard } from '../server/server';

// biome-ignore lint/suspicious/noExplicitAny: the tests read arbitrary JSON answers
const jsonOf = (response: Response): Promise<any> => response.json();

const KNOBS = { payment_delay_ms: 50, email_delay_ms: 50, payment_failure_rate: 0 };
const JSON_TYPE = { 'content-type': 'application/json' };

/**
 * The lab API changes the stacks for whoever asks: these tests hold it to the lab admin, from the dashboard's own page.
 * A real monolith stands behind it, so "changes nothing" is read from the stack itself.
 */
describe('the lab API changes nothing without the lab admin', () => {
  const dbName = uniqueName('dash_guard');
  let monolithDb: TestDatabase;
  let mail: TestMail;
  let monolith: Awaited<ReturnType<typeof startMonolith>>;
  let dashboard: RunningDashboard;

  beforeAll(async () => {
    monolithDb = await createTestDatabase('dash_guard_mono');
    mail = await startTestMailCatcher();
    monolith = await startMonolith({
      databaseUrl: monolithDb.url,
      paymentProvider: testPaymentProvider(monolithDb.name),
      smtpPort: mail.smtpPort,
      mailUiUrl: mail.webUrl,
      knobs: KNOBS,
      logLevel: 'silent',
    });
    dashboard = await startDashboard({
      monolithUrl: monolith.url,
      // The microservices are not started here: their half answers 502, which these tests never need.
      gatewayUrl: 'http://127.0.0.1:1',
      mailUiUrl: mail.webUrl,
      databaseUrl: testServerUrl(),
      dbName,
      page: 'vite',
    });
  });

  afterAll(async () => {
    await dashboard?.stop();
    await monolith?.stop();
    await mail?.stop();
    await monolithDb?.drop();
    await dropDatabase(testServerUrl(), dbName).catch(() => {});
  });

  const monolithKnobs = async () => (await jsonOf(await fetch(`${dashboard.url}/api/lab/config`))).monolith;

  async function logIn(password: string = DEFAULT_ADMIN.password): Promise<Response> {
    return fetch(`${dashboard.url}/api/session`, {
      method: 'POST',
      headers: { ...JSON_TYPE, origin: dashboard.url },
      body: JSON.stringify({ email: DEFAULT_ADMIN.email, password }),
    });
  }

  test('when a change comes without a login, then 401 and the stack keeps its knobs', async () => {
    const put = await fetch(`${dashboard.url}/api/lab/config?target=monolith`, {
      method: 'PUT',
      headers: JSON_TYPE,
      body: JSON.stringify({ payment_delay_ms: 4321 }),
    });
    expect(put.status).toBe(401);
    expect((await jsonOf(put)).error.code).toBe('UNAUTHORIZED');
    for (const [method, path] of [
      ['POST', '/api/lab/reset'],
      ['POST', '/api/runs'],
      ['POST', '/api/runs/1/cancel'],
      ['DELETE', '/api/runs/1'],
      ['POST', '/api/lab/dead-letters/redrive'],
    ]) {
      const response = await fetch(`${dashboard.url}${path}`, { method, headers: JSON_TYPE, body: '{}' });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
    // The dead letters carry buyers' emails in their events: reading them needs the login too.
    expect((await fetch(`${dashboard.url}/api/lab/dead-letters`)).status).toBe(401);
    expect(await monolithKnobs()).toEqual(KNOBS);
  });

  test('when another site posts a text/plain form, then 403 even with the admin logged in, and nothing changes', async () => {
    const cookie = (await logIn()).headers.get('set-cookie')?.split(';')[0] ?? '';
    const put = await fetch(`${dashboard.url}/api/lab/config`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example', cookie },
      body: JSON.stringify({ payment_delay_ms: 4321 }),
    });
    expect(put.status).toBe(403);
    expect((await jsonOf(put)).error.code).toBe('FOREIGN_ORIGIN');
    const reset = await fetch(`${dashboard.url}/api/lab/reset`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: 'x',
    });
    expect(reset.status).toBe(403);
    // A browser that sends no Origin still says where the request came from.
    const sneaky = await fetch(`${dashboard.url}/api/lab/config`, {
      method: 'PUT',
      headers: { ...JSON_TYPE, 'sec-fetch-site': 'cross-site', cookie },
      body: JSON.stringify({ payment_delay_ms: 4321 }),
    });
    expect(sneaky.status).toBe(403);
    // From the page itself, a text/plain body is refused too: only JSON changes anything.
    const plain = await fetch(`${dashboard.url}/api/lab/config`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain', origin: dashboard.url, cookie },
      body: JSON.stringify({ payment_delay_ms: 4321 }),
    });
    expect(plain.status).toBe(415);
    expect(await monolithKnobs()).toEqual(KNOBS);
  });

  test('when the admin logs in, then the session cookie is HttpOnly and SameSite=Strict, changes go through, and logging out ends them', async () => {
    const wrong = await logIn('not-the-password');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const response = await logIn();
    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toEqual({ logged_in: true, email: DEFAULT_ADMIN.email });
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^lab_session=[\w-]{40,};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    const cookie = setCookie.split(';')[0];
    expect(await jsonOf(await fetch(`${dashboard.url}/api/session`, { headers: { cookie } }))).toEqual({
      logged_in: true,
      email: DEFAULT_ADMIN.email,
    });

    const put = await fetch(`${dashboard.url}/api/lab/config?target=monolith`, {
      method: 'PUT',
      headers: { ...JSON_TYPE, origin: dashboard.url, 'sec-fetch-site': 'same-origin', cookie },
      body: JSON.stringify({ payment_delay_ms: 70 }),
    });
    expect(put.status).toBe(200);
    expect((await monolithKnobs()).payment_delay_ms).toBe(70);
    // Bad input is still the caller's 422, after the login.
    const bad = await fetch(`${dashboard.url}/api/lab/dead-letters/redrive`, {
      method: 'POST',
      headers: { ...JSON_TYPE, cookie },
      body: JSON.stringify({ ids: ['no service'] }),
    });
    expect(bad.status).toBe(422);

    const out = await fetch(`${dashboard.url}/api/session`, { method: 'DELETE', headers: { ...JSON_TYPE, cookie } });
    expect(out.status).toBe(200);
    const after = await fetch(`${dashboard.url}/api/lab/config?target=monolith`, {
      method: 'PUT',
      headers: { ...JSON_TYPE, cookie },
      body: JSON.stringify({ payment_delay_ms: KNOBS.payment_delay_ms }),
    });
    expect(after.status).toBe(401);
    expect((await monolithKnobs()).payment_delay_ms).toBe(70);
  });

  test('when a buyer uses the storefront proxy, then it needs no lab login: the stack checks the buyer itself', async () => {
    const email = `${uniqueName('buyer')}@example.com`;
    const registered = await fetch(`${dashboard.url}/stack/monolith/api/auth/register`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ email, password: 'secret-123', full_name: 'Buyer' }),
    });
    expect(registered.status).toBe(201);
    const login = await fetch(`${dashboard.url}/stack/monolith/api/auth/login`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ email, password: 'secret-123' }),
    });
    const { access_token } = await jsonOf(login);
    const added = await fetch(`${dashboard.url}/stack/monolith/api/cart/items`, {
      method: 'POST',
      headers: { ...JSON_TYPE, authorization: `Bearer ${access_token}` },
      body: JSON.stringify({ product_id: 1, quantity: 1 }),
    });
    expect(added.status).toBe(201);
  });
});
