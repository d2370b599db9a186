import { dropDatabase } from '@checkout-lab/kit';
import { testServerUrl, uniqueName } from '@checkout-lab/kit/testing';
import { LESSONS } from '@checkout-lab/lessons';
import type { TestShop } from '@checkout-lab/stacks/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LessonCheck, LessonText, LessonView } from '../shared/lessons';
import type { RunningDashboard } from '../server/server';
import { startDashboardOnShop } from './dashboard-on-shop';

// biome-ignore lint/suspicious/noExplicitAny: the tests read arbitrary JSON answers
const jsonOf = (response: Response): Promise<any> => response.json();

/**
 * The Lessons tab's lab API runs a lesson's real check and solve against the lab the dashboard serves: here a real
 * monolith of its own (Feel the wait needs only the monolith), the dashboard in this process; a lesson that needs the
 * microservices finds nobody at the gateway.
 */
describe('the lessons of the lab API, against a real monolith', () => {
  const dbName = uniqueName('dash_lessons');
  let shop: TestShop;
  let dashboard: RunningDashboard;
  let cookie = '';

  beforeAll(async () => {
    // Delays the payment and the email clearly dominate, as in the lab (the test shop's default is 20 ms each).
    ({ shop, dashboard, cookie } = await startDashboardOnShop(dbName, { payment_delay_ms: 300, email_delay_ms: 300 }));
  });

  afterAll(async () => {
    await dashboard?.stop();
    await shop?.stop();
    await dropDatabase(testServerUrl(), dbName).catch(() => {});
  });

  const post = (path: string, withLogin = true) =>
    fetch(`${dashboard.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: dashboard.url, ...(withLogin ? { cookie } : {}) },
    });

  test('GET /api/lessons lists every lesson of the catalog, its steps without their functions', async () => {
    const answer = await fetch(`${dashboard.url}/api/lessons`);
    expect(answer.status).toBe(200);
    const lessons: LessonView[] = await jsonOf(answer);
    expect(lessons.map((lesson) => lesson.id)).toEqual(LESSONS.map((lesson) => lesson.id));
    const feel = lessons.find((lesson) => lesson.id === 'feel-the-wait');
    expect(feel?.steps[0].view).toContain('Storefronts');
    expect(feel?.steps[0].hints.length).toBeGreaterThan(0);
    expect(Object.keys(feel?.steps[0] ?? {}).sort()).toEqual(['command', 'hints', 'instructions', 'view']);
  });

  test('when the step is not done, then its check fails with the reason; do it for me, then it passes', async () => {
    const before = await post('/api/lessons/feel-the-wait/steps/1/check');
    expect(before.status).toBe(200);
    const failed: LessonCheck = await jsonOf(before);
    expect(failed).toEqual({ pass: false, message: expect.stringContaining('The monolith has no order yet') });

    const solved = await post('/api/lessons/feel-the-wait/steps/1/solve');
    expect(solved.status).toBe(200);
    const after: LessonCheck = await jsonOf(solved);
    expect(after).toEqual({ pass: true, message: expect.stringMatching(/^Order #\d+ is confirmed/) });
    // The solve did it on the lab itself: the shop has the order.
    expect(await shop.count('orders')).toBe(1);

    const again: LessonCheck = await jsonOf(await post('/api/lessons/feel-the-wait/steps/1/check'));
    expect(again.pass).toBe(true);
  });

  test('when a check cannot reach its stack, then it fails with the reason, not a 500 and no stack trace', async () => {
    const answer = await post('/api/lessons/atomic-stock-reservation/steps/1/check');
    expect(answer.status).toBe(200);
    const result: LessonCheck = await jsonOf(answer);
    expect(result.pass).toBe(false);
    expect(result.message).toContain('No lab answers at http://127.0.0.1:1');
    expect(result.message).not.toMatch(/\n\s+at /);
  });

  test('when the lesson or the step does not exist, then 404 with a JSON error', async () => {
    for (const path of [
      '/api/lessons/no-such-lesson/steps/1/check',
      '/api/lessons/feel-the-wait/steps/99/check',
      '/api/lessons/feel-the-wait/steps/0/solve',
      '/api/lessons/feel-the-wait/steps/one/check',
    ]) {
      const answer = await post(path);
      expect(answer.status, path).toBe(404);
      expect((await jsonOf(answer)).error.code, path).toBe('NOT_FOUND');
    }
  });

  test("GET /api/lessons/:id/text gives the lesson's section of LESSONS.md, from its heading to the next one", async () => {
    const textOf = async (id: string): Promise<LessonText> => {
      const answer = await fetch(`${dashboard.url}/api/lessons/${id}/text`);
      expect(answer.status, id).toBe(200);
      return jsonOf(answer);
    };
    const feel = await textOf('feel-the-wait');
    expect(feel).toMatchObject({ id: 'feel-the-wait', title: 'Feel the wait', anchor: 'feel-the-wait' });
    expect(feel.text.startsWith('## Feel the wait\n')).toBe(true);
    expect(feel.text).toContain('**Why.** The monolith does everything the order needs before it answers');
    expect(feel.text).toContain('**In the code.**');
    const next = LESSONS[LESSONS.findIndex((lesson) => lesson.id === 'feel-the-wait') + 1];
    expect(feel.text).not.toContain(`## ${next.title}`);

    // A "# ..." in a fenced block is a shell comment, not the end of the lesson; a "# part" heading is.
    const charge = await textOf('a-charge-outlives-a-rollback');
    expect(charge.text).toContain('# check out on each');
    expect(charge.text).toContain('**Why.** Step 6 asks the provider');
    const last = await textOf('is-it-the-architecture-or-the-transaction');
    expect(last.text).toContain('**Why.** What made the monolith slow was the transaction');
    expect(last.text).not.toContain('# Microservices lessons');
  });

  test('when the lesson of the text does not exist, then 404 with a JSON error', async () => {
    const answer = await fetch(`${dashboard.url}/api/lessons/no-such-lesson/text`);
    expect(answer.status).toBe(404);
    expect((await jsonOf(answer)).error).toMatchObject({ code: 'NOT_FOUND', message: 'No lesson no-such-lesson' });
  });

  test('when a check or a solve comes without the login, then 401 and nothing is done', async () => {
    const orders = await shop.count('orders');
    for (const what of ['check', 'solve']) {
      const refused = await post(`/api/lessons/feel-the-wait/steps/1/${what}`, false);
      expect(refused.status, what).toBe(401);
      expect((await jsonOf(refused)).error.code).toBe('UNAUTHORIZED');
    }
    expect(await shop.count('orders')).toBe(orders);
  });
});
