// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO_STEPS, DemoMode } from '../src/components/DemoMode';
import { BLACK_FRIDAY_DEMO } from '../src/lib/presets';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** The lab API in memory; a second run is refused as the real one refuses it while one goes. */
function fakeLabApi({ runBusy = false } = {}) {
  const sent: { route: string; body: unknown }[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    const route = `${init.method ?? 'GET'} ${url}`;
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    if (route !== 'GET /api/session') sent.push({ route, body });
    if (route === 'GET /api/session') return json(200, { logged_in: true, email: 'a@b.c' });
    if (route === 'POST /api/lab/reset') return json(200, { monolith: {}, micro: {} });
    if (route === 'PUT /api/lab/config') return json(200, { monolith: body, micro: body });
    if (route === 'POST /api/runs')
      return runBusy
        ? json(409, { error: { code: 'RUN_IN_PROGRESS', message: 'A run is already going' } })
        : json(202, { id: 1, status: 'running' });
    return json(404, { error: { code: 'NOT_FOUND', message: `no fake for ${route}` } });
  });
  return { fetch, sent };
}

describe('the instructor mode of the Black Friday demo', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  const next = async () => {
    await waitFor(() => expect((screen.getByTestId('demo-next') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('demo-next'));
  };

  it('does nothing on the lab until started, then each step does its action when the instructor advances', async () => {
    const lab = fakeLabApi();
    vi.stubGlobal('fetch', lab.fetch);
    const onOpenTab = vi.fn();
    render(<DemoMode onOpenTab={onOpenTab} onClose={vi.fn()} />);
    expect(screen.getByTestId('demo-title').textContent).toBe('Ready when you are');
    await waitFor(() => expect(lab.fetch).toHaveBeenCalled());
    expect(lab.sent).toEqual([]);

    await next();
    await waitFor(() => expect(screen.getByTestId('demo-title').textContent).toBe(DEMO_STEPS[0].title));
    expect(lab.sent.map((call) => call.route)).toEqual(['POST /api/lab/reset']);

    await next();
    await waitFor(() => expect(screen.getByTestId('demo-title').textContent).toBe(DEMO_STEPS[1].title));
    expect(lab.sent[1]).toEqual({
      route: 'PUT /api/lab/config',
      body: { payment_delay_ms: BLACK_FRIDAY_DEMO.payment_delay_ms, email_delay_ms: BLACK_FRIDAY_DEMO.email_delay_ms },
    });

    await next();
    await waitFor(() => expect(screen.getByTestId('demo-title').textContent).toBe('The rush'));
    expect(lab.sent[2]).toEqual({ route: 'POST /api/runs', body: BLACK_FRIDAY_DEMO });
    expect(onOpenTab).toHaveBeenLastCalledWith('runs');

    await next();
    await waitFor(() => expect(screen.getByTestId('demo-title').textContent).toBe('The queue behind the lock'));
    expect(onOpenTab).toHaveBeenLastCalledWith('internals');
    expect(screen.getByTestId('demo-talk').textContent).toContain('lock waits');

    await next();
    await waitFor(() => expect(screen.getByTestId('demo-title').textContent).toBe(DEMO_STEPS.at(-1)?.title));
    expect(onOpenTab).toHaveBeenLastCalledWith('runs');
    // The last step: nothing further to advance to, and the lab got exactly the three changes.
    expect(screen.queryByTestId('demo-next')).toBeNull();
    expect(lab.sent).toHaveLength(3);
  });

  it('when the lab refuses a step, then it says why, stays on the step before and offers it again', async () => {
    vi.stubGlobal('fetch', fakeLabApi({ runBusy: true }).fetch);
    const onOpenTab = vi.fn();
    render(<DemoMode onOpenTab={onOpenTab} onClose={vi.fn()} />);
    await next();
    await next();
    await waitFor(() => expect(screen.getByTestId('demo-title').textContent).toBe(DEMO_STEPS[1].title));
    await next();
    expect((await screen.findByTestId('demo-error')).textContent).toContain('A run is already going');
    expect(screen.getByTestId('demo-title').textContent).toBe(DEMO_STEPS[1].title);
    expect(screen.getByTestId('demo-next').textContent).toContain('The rush');
    expect(onOpenTab).not.toHaveBeenCalled();
  });
});
