// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FIXES } from '../shared/types';
import { Switches } from '../src/components/Switches';
import { refreshSession } from '../src/lib/session';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** The lab API in memory: the monolith's fixes, all off, which a PUT changes; the admin logged in or not. */
function fakeLabApi(loggedIn: boolean) {
  const fixes = {
    short_lock: false,
    payment_outside_transaction: false,
    async_email: false,
    accept_then_process: false,
  };
  const sent: { method: string; body: unknown }[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    if (url === '/api/session')
      return json(200, { logged_in: loggedIn, email: loggedIn ? 'admin@checkout.lab' : null });
    if (url === '/api/lab/fixes') {
      sent.push({ method, body });
      if (method === 'PUT') Object.assign(fixes, body);
      return json(200, fixes);
    }
    return json(404, { error: { code: 'NOT_FOUND', message: 'No route' } });
  });
  return { fetch, sent };
}

const fixSwitches = () => (
  <Switches
    path="/lab/fixes"
    title="Fixes"
    switches={FIXES}
    testId="fixes"
    itemTestId="fix"
    unavailableText="not available"
  />
);

describe("the monolith's fix switches in its pane", () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('when the admin ticks a fix, then the lab API is asked to switch it on and the box shows it on', async () => {
    const api = fakeLabApi(true);
    vi.stubGlobal('fetch', api.fetch);
    await refreshSession();
    render(fixSwitches());
    const box = (await screen.findByTestId('fix-short_lock')) as HTMLInputElement;
    await waitFor(() => expect(box.disabled).toBe(false));
    expect(box.checked).toBe(false);
    for (const fix of FIXES) expect(screen.getByText(fix.label)).toBeTruthy();
    fireEvent.click(box);
    await waitFor(() => expect(box.checked).toBe(true));
    expect(api.sent).toContainEqual({ method: 'PUT', body: { short_lock: true } });
  });

  it('when nobody is logged in, then the fixes show but cannot be changed', async () => {
    const api = fakeLabApi(false);
    vi.stubGlobal('fetch', api.fetch);
    await refreshSession();
    render(fixSwitches());
    const box = (await screen.findByTestId('fix-async_email')) as HTMLInputElement;
    // The values have arrived (the fixes were read and drawn), and the box stays closed to a visitor.
    await waitFor(() => expect(api.sent).toContainEqual({ method: 'GET', body: undefined }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(box.disabled).toBe(true);
  });
});
