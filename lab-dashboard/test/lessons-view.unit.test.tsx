// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LessonView } from '../shared/lessons';
import { Lessons } from '../src/components/Lessons';
import { PROGRESS_KEY } from '../src/lib/lesson-progress';
import { logOut } from '../src/lib/session';

const FEEL: LessonView = {
  id: 'feel-the-wait',
  title: 'Feel the wait',
  anchor: 'feel-the-wait',
  goal: 'See that the monolith buyer waits.',
  stacks: ['monolith'],
  steps: [
    {
      instructions: 'Put product 2 in a cart on the monolith and check out.',
      view: 'Storefronts (the Monolith pane)',
      command: 'curl -X POST $M/api/orders/checkout',
      hints: ['The answer is a 201.', 'Look at the steps.', 'POST /api/cart/items, then POST /api/orders/checkout.'],
    },
    {
      instructions: 'Make the payment slower and check out again.',
      view: 'Instructor (the knobs), then Storefronts',
      command: null,
      hints: ['The knob is payment_delay_ms.'],
    },
  ],
};

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const TABS = [
  { id: 'shops', label: 'Storefronts' },
  { id: 'instructor', label: 'Instructor' },
];

/** The lab API in memory: one lesson, a check that fails until the step was done for the student. */
function fakeLabApi(loggedIn = true) {
  const sent: string[] = [];
  let solved = false;
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    const route = `${init.method ?? 'GET'} ${url}`;
    sent.push(route);
    if (route === 'GET /api/session') return json(200, { logged_in: loggedIn, email: loggedIn ? 'a@b.c' : null });
    if (route === 'GET /api/lessons') return json(200, [FEEL]);
    if (route === 'POST /api/lessons/feel-the-wait/steps/1/check')
      return json(
        200,
        solved
          ? { pass: true, message: 'Order #1 is confirmed' }
          : { pass: false, message: 'The monolith has no order yet' },
      );
    if (route === 'POST /api/lessons/feel-the-wait/steps/1/solve') {
      solved = true;
      return json(200, { pass: true, message: 'Order #1 is confirmed' });
    }
    return json(404, { error: { code: 'NOT_FOUND', message: `no fake for ${route}` } });
  });
  return { fetch, sent };
}

describe('the Lessons tab', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  async function openLesson(onOpenTab = vi.fn()) {
    render(<Lessons tabs={TABS} onOpenTab={onOpenTab} />);
    const row = await screen.findByTestId('lesson-feel-the-wait');
    expect(within(row).getByTestId('lesson-progress').textContent).toContain('0/2 steps');
    fireEvent.click(within(row).getByText('Feel the wait'));
    await screen.findByTestId('lesson-step');
    return row;
  }

  it('shows the step with the view it needs, and that view opens its tab', async () => {
    vi.stubGlobal('fetch', fakeLabApi().fetch);
    const onOpenTab = vi.fn();
    await openLesson(onOpenTab);
    expect(screen.getByTestId('lesson-instructions').textContent).toContain('Put product 2 in a cart');
    fireEvent.click(screen.getByTestId('lesson-open-view'));
    expect(onOpenTab).toHaveBeenCalledWith('shops');
    fireEvent.click(screen.getByTestId('lesson-step-2'));
    fireEvent.click(await screen.findByTestId('lesson-open-view'));
    // "Instructor (the knobs), then Storefronts": the view named first.
    expect(onOpenTab).toHaveBeenLastCalledWith('instructor');
  });

  it('when Check fails, then it says why and no progress is kept; do it for me, then it passes and progress is kept', async () => {
    const lab = fakeLabApi();
    vi.stubGlobal('fetch', lab.fetch);
    const row = await openLesson();
    await waitFor(() => expect((screen.getByTestId('lesson-check') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('lesson-check'));
    expect((await screen.findByTestId('lesson-result')).textContent).toContain(
      'Not yet: The monolith has no order yet',
    );
    expect(within(row).getByTestId('lesson-progress').textContent).toContain('0/2 steps');
    expect(localStorage.getItem(PROGRESS_KEY)).toBeNull();

    fireEvent.click(screen.getByTestId('lesson-solve'));
    await waitFor(() =>
      expect(screen.getByTestId('lesson-result').textContent).toContain('Pass: Order #1 is confirmed'),
    );
    expect(lab.sent).toContain('POST /api/lessons/feel-the-wait/steps/1/solve');
    expect(within(row).getByTestId('lesson-progress').textContent).toContain('1/2 steps');
    expect(JSON.parse(localStorage.getItem(PROGRESS_KEY) ?? '{}')).toEqual({ 'feel-the-wait': [1] });

    fireEvent.click(screen.getByTestId('lesson-next'));
    expect((await screen.findByTestId('lesson-instructions')).textContent).toContain('Make the payment slower');
  });

  it('gives the hints one at a time, then none; the solution is the step in words', async () => {
    vi.stubGlobal('fetch', fakeLabApi().fetch);
    await openLesson();
    expect(screen.queryByTestId('lesson-hints')).toBeNull();
    fireEvent.click(screen.getByTestId('lesson-hint'));
    expect(screen.getByTestId('lesson-hints').querySelectorAll('li')).toHaveLength(1);
    fireEvent.click(screen.getByTestId('lesson-hint'));
    fireEvent.click(screen.getByTestId('lesson-hint'));
    expect(screen.getByTestId('lesson-hints').querySelectorAll('li')).toHaveLength(3);
    expect((screen.getByTestId('lesson-hint') as HTMLButtonElement).disabled).toBe(true);

    fireEvent.click(screen.getByTestId('lesson-show-solution'));
    const solution = screen.getByTestId('lesson-solution').textContent;
    expect(solution).toContain('Storefronts (the Monolith pane)');
    expect(solution).toContain('curl -X POST $M/api/orders/checkout');
    expect(solution).toContain('POST /api/cart/items, then POST /api/orders/checkout.');
  });

  it('starts a lesson at its first step not passed, from the progress this browser kept', async () => {
    localStorage.setItem(PROGRESS_KEY, JSON.stringify({ 'feel-the-wait': [1] }));
    vi.stubGlobal('fetch', fakeLabApi().fetch);
    render(<Lessons tabs={TABS} onOpenTab={vi.fn()} />);
    const row = await screen.findByTestId('lesson-feel-the-wait');
    expect(within(row).getByTestId('lesson-progress').textContent).toContain('1/2 steps');
    fireEvent.click(within(row).getByText('Feel the wait'));
    expect((await screen.findByTestId('lesson-instructions')).textContent).toContain('Make the payment slower');
  });

  it('without the login, Check and do it for me are off and the page says to log in', async () => {
    vi.stubGlobal('fetch', fakeLabApi(false).fetch);
    // The page's session is one for the whole page: the earlier tests logged it in.
    await logOut();
    await openLesson();
    expect(screen.getByText(/Log in as the lab admin/)).toBeTruthy();
    expect((screen.getByTestId('lesson-check') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('lesson-solve') as HTMLButtonElement).disabled).toBe(true);
  });
});
