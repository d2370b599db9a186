import { dropDatabase } from '@checkout-lab/kit';
import { testServerUrl, uniqueName } from '@checkout-lab/kit/testing';
import type { TestShop } from '@checkout-lab/stacks/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SchedulerState } from '../shared/types';
import type { RunningDashboard } from '../server/server';
import { startDashboardOnShop } from './dashboard-on-shop';

// biome-ignore lint/suspicious/noExplicitAny: the tests read arbitrary JSON answers
const jsonOf = (response: Response): Promise<any> => response.json();

/**
 * The fault scheduler runs in the lab API, so it goes on when the page is closed and reverts what it set when it
 * stops. A real monolith stands behind it: "on" and "off" are read from the stack's own GET /api/lab/faults.
 */
describe('the fault scheduler of the lab API, against a real monolith', () => {
  const dbName = uniqueName('dash_sched');
  let shop: TestShop;
  let dashboard: RunningDashboard;
  let stopped = false;
  let cookie = '';

  beforeAll(async () => {
    ({ shop, dashboard, cookie } = await startDashboardOnShop(dbName));
  });

  afterAll(async () => {
    if (!stopped) await dashboard?.stop();
    await shop?.stop();
    await dropDatabase(testServerUrl(), dbName).catch(() => {});
  });

  const change = (method: string, path: string, body?: unknown, withLogin = true) =>
    fetch(`${dashboard.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', origin: dashboard.url, ...(withLogin ? { cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const state = async (): Promise<SchedulerState> => jsonOf(await fetch(`${dashboard.url}/api/lab/scheduler`));
  const monolithFaults = async () => (await shop.api('GET', '/api/lab/faults', { token: shop.adminToken })).body.faults;

  /** Until the scheduler has written its first step (it acts at once when it starts). */
  async function firstStep(): Promise<SchedulerState> {
    for (let i = 0; i < 200; i += 1) {
      const now = await state();
      if (now.history.length > 0) return now;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the scheduler never acted');
  }

  // Long enough that the first fault is still on when the test reads the stack: nothing here waits for a clock.
  const SETTINGS = { seed: 11, min_s: 600, max_s: 900, faults: [{ stack: 'monolith', name: 'smtp_down' }] };

  test('when a change comes without the login, then 401 and the scheduler does not start', async () => {
    const refused = await change('POST', '/api/lab/scheduler', SETTINGS, false);
    expect(refused.status).toBe(401);
    expect((await state()).running).toBe(false);
  });

  test('when a fault is not on that stack, or the bounds are upside down, then 422 and nothing is switched', async () => {
    const foreign = await change('POST', '/api/lab/scheduler', {
      ...SETTINGS,
      faults: [{ stack: 'monolith', name: 'broker_down' }],
    });
    expect(foreign.status).toBe(422);
    expect((await jsonOf(foreign)).error.code).toBe('FAULT_NOT_APPLICABLE');
    const upsideDown = await change('POST', '/api/lab/scheduler', { ...SETTINGS, min_s: 10, max_s: 5 });
    expect(upsideDown.status).toBe(422);
    expect((await jsonOf(upsideDown)).error.code).toBe('VALIDATION_ERROR');
    expect((await state()).running).toBe(false);
    expect((await monolithFaults()).smtp_down).toBe(false);
  });

  test('when the scheduler starts, then it switches the fault on the stack and says so; when it stops, the stack has it off again', async () => {
    const started = await change('POST', '/api/lab/scheduler', SETTINGS);
    expect(started.status).toBe(201);
    expect(await jsonOf(started)).toMatchObject({
      running: true,
      seed: 11,
      faults: [{ stack: 'monolith', name: 'smtp_down', value: true }],
    });
    const acting = await firstStep();
    expect(acting.history).toEqual([
      expect.objectContaining({ stack: 'monolith', fault: 'smtp_down', value: true, action: 'on', error: null }),
    ]);
    expect(acting.active).toEqual([expect.objectContaining({ stack: 'monolith', name: 'smtp_down' })]);
    expect((await monolithFaults()).smtp_down).toBe(true);
    // One at a time: a second start is refused while it runs.
    const again = await change('POST', '/api/lab/scheduler', SETTINGS);
    expect(again.status).toBe(409);
    expect((await jsonOf(again)).error.code).toBe('SCHEDULER_RUNNING');

    const stop = await change('DELETE', '/api/lab/scheduler');
    expect(stop.status).toBe(200);
    const after: SchedulerState = await jsonOf(stop);
    expect(after.running).toBe(false);
    expect(after.active).toEqual([]);
    expect(after.history.map((e) => [e.fault, e.value, e.action])).toEqual([
      ['smtp_down', true, 'on'],
      ['smtp_down', false, 'revert'],
    ]);
    expect((await monolithFaults()).smtp_down).toBe(false);
    // The history stays readable after the stop.
    expect((await state()).history).toHaveLength(2);
  });

  test("when a fault is set by hand, then the stack's refusal comes back with the stack's own code", async () => {
    const foreign = await change('PUT', '/api/lab/faults?target=monolith', { broker_down: true });
    expect(foreign.status).toBe(422);
    expect((await jsonOf(foreign)).error.code).toBe('FAULT_NOT_APPLICABLE');
    const on = await change('PUT', '/api/lab/faults?target=monolith', { smtp_down: true });
    expect(on.status).toBe(200);
    expect((await jsonOf(on)).faults.smtp_down).toBe(true);
    const reset = await change('POST', '/api/lab/faults/reset?target=monolith');
    expect((await jsonOf(reset)).monolith.faults.smtp_down).toBe(false);
    expect((await monolithFaults()).smtp_down).toBe(false);
  });

  test('when the verdict links to an order, then the lab admin reads it as the stack keeps it; without the login, 401', async () => {
    const buyer = await shop.buyer();
    await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 2, quantity: 1 } });
    const checkout = await shop.api('POST', '/api/orders/checkout', { token: buyer.token });
    expect(checkout.status).toBe(201);
    const path = `/api/lab/orders/monolith/${checkout.body.id}`;
    // An order carries its buyer's data: reading it needs the lab admin, as the dead letters do.
    expect((await fetch(`${dashboard.url}${path}`)).status).toBe(401);
    const order = await fetch(`${dashboard.url}${path}`, { headers: { cookie } });
    expect(order.status).toBe(200);
    expect(await jsonOf(order)).toMatchObject({ id: checkout.body.id, status: 'confirmed' });
    const missing = await fetch(`${dashboard.url}/api/lab/orders/monolith/999999`, { headers: { cookie } });
    expect(missing.status).toBe(404);
  });

  test("when the monolith's fixes are read and switched through the lab API, then the stack's own switches change; without the login, 401", async () => {
    const before = await fetch(`${dashboard.url}/api/lab/fixes`);
    expect(before.status).toBe(200);
    expect((await jsonOf(before)).short_lock).toBe(false);
    expect((await change('PUT', '/api/lab/fixes', { short_lock: true }, false)).status).toBe(401);
    expect((await change('PUT', '/api/lab/fixes', { short_lock: 'yes' })).status).toBe(422);
    const on = await change('PUT', '/api/lab/fixes', { short_lock: true });
    expect(on.status).toBe(200);
    expect((await shop.api('GET', '/api/lab/fixes', { token: shop.adminToken })).body.short_lock).toBe(true);
    await change('PUT', '/api/lab/fixes', { short_lock: false });
    expect((await shop.api('GET', '/api/lab/fixes', { token: shop.adminToken })).body.short_lock).toBe(false);
  });

  test('when the lab API itself stops while the scheduler has a fault on, then the fault is off on the stack', async () => {
    expect((await change('POST', '/api/lab/scheduler', { ...SETTINGS, seed: 12 })).status).toBe(201);
    await firstStep();
    expect((await monolithFaults()).smtp_down).toBe(true);
    stopped = true;
    await dashboard.stop();
    expect((await monolithFaults()).smtp_down).toBe(false);
  });
});
