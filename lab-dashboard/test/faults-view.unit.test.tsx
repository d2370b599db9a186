// @vitest-environment jsdom
import { faultCatalog } from '@checkout-lab/contract';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FaultsByStack, SchedulerState } from '../shared/types';
import { Faults } from '../src/components/Faults';

const answer = (stack: 'monolith' | 'microservices') => {
  const catalog = faultCatalog(stack);
  return { faults: Object.fromEntries(catalog.map((f) => [f.name, f.default])), catalog };
};
const BOTH: FaultsByStack = { monolith: answer('monolith'), micro: answer('microservices') };
const IDLE: SchedulerState = {
  running: false,
  seed: null,
  min_s: null,
  max_s: null,
  faults: [],
  started_at: null,
  stopped_at: null,
  active: [],
  history: [],
};

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * The lab API as the page sees it, in memory: the gateway without pattern switches (404), the microservices refusing
 * broker_down as a stack refuses a fault not built, and a scheduler that starts and writes its first step.
 */
function fakeLabApi() {
  const sent: { method: string; url: string; body: unknown }[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    sent.push({ method, url, body });
    const route = `${method} ${url}`;
    if (route === 'GET /api/session') return json(200, { logged_in: true, email: 'admin@checkout.lab' });
    if (route === 'GET /api/lab/faults') return json(200, BOTH);
    if (route === 'GET /api/lab/patterns') return json(404, { error: { code: 'NOT_FOUND', message: 'No route' } });
    if (route === 'GET /api/lab/scheduler') return json(200, IDLE);
    if (route === 'PUT /api/lab/faults?target=micro')
      return json(422, { error: { code: 'FAULT_NOT_IMPLEMENTED', message: 'Microservices: Not built yet' } });
    if (route === 'POST /api/lab/scheduler')
      return json(201, {
        ...IDLE,
        running: true,
        seed: body.seed,
        min_s: body.min_s,
        max_s: body.max_s,
        faults: [{ stack: 'monolith', name: 'smtp_down', value: true }],
        started_at: '2026-12-01T10:00:00.000Z',
        history: [
          {
            at: '2026-12-01T10:00:00.000Z',
            stack: 'monolith',
            fault: 'smtp_down',
            value: true,
            action: 'on',
            error: null,
          },
        ],
      } satisfies SchedulerState);
    if (method === 'GET') return json(200, []);
    return json(500, { error: { code: 'UNEXPECTED', message: route } });
  });
  return { fetch, sent };
}

describe('the Faults view against the lab API', () => {
  let api: ReturnType<typeof fakeLabApi>;
  beforeEach(() => {
    api = fakeLabApi();
    vi.stubGlobal('fetch', api.fetch);
  });
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('when the microservices refuse a fault, then its control says "not built yet"; the patterns say "not available" on a 404', async () => {
    render(<Faults />);
    const broker = await screen.findByTestId('fault-micro-broker_down');
    await waitFor(() => expect((broker as HTMLInputElement).disabled).toBe(false));
    fireEvent.click(broker);
    expect((await screen.findByTestId('fault-error-micro-broker_down')).textContent).toBe('not built yet');
    expect(api.sent).toContainEqual({
      method: 'PUT',
      url: '/api/lab/faults?target=micro',
      body: { broker_down: true },
    });
    expect((await screen.findByTestId('patterns-unavailable')).textContent).toContain('not available');
  });

  it('when the instructor starts the scheduler, then it sends the seed, the bounds and the chosen faults, and shows its history', async () => {
    render(<Faults />);
    const use = await screen.findByTestId('scheduler-use-monolith-smtp_down');
    await waitFor(() => expect((screen.getByTestId('scheduler-seed') as HTMLInputElement).disabled).toBe(false));
    fireEvent.change(screen.getByTestId('scheduler-seed'), { target: { value: '7' } });
    fireEvent.click(use);
    const start = screen.getByTestId('scheduler-start') as HTMLButtonElement;
    await waitFor(() => expect(start.disabled).toBe(false));
    fireEvent.click(start);
    const history = await screen.findByTestId('scheduler-history');
    expect(history.textContent).toContain('smtp_down');
    expect(history.textContent).toContain('switched on');
    expect(api.sent.find((r) => r.method === 'POST' && r.url === '/api/lab/scheduler')?.body).toEqual({
      seed: 7,
      min_s: 5,
      max_s: 20,
      faults: [{ stack: 'monolith', name: 'smtp_down' }],
    });
    expect(screen.getByTestId('scheduler-status').textContent).toContain('Running');
  });
});
