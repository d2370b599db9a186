import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_ADMIN, dropDatabase } from '@checkout-lab/kit';
import {
  createTestDatabase,
  startTestMailCatcher,
  testServerUrl,
  uniqueName,
  testPaymentProvider,
} from '@checkout-lab/kit/testing';
import type { TestDatabase, TestMail } from '@checkout-lab/kit/testing';
import { startMonolith } from '@checkout-lab/monolith';
import amqp from 'amqplib';
import { HEADERS } from '@checkout-lab/shared';
import { deleteBrokerObjects, SERVICE_NAMES } from '@checkout-lab/stacks';
import { CHROMIUM_ARGS, ensureChromium, startTestStack, type TestStack } from '@checkout-lab/stacks/testing';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizePrefix, queueNames } from '../server/internals/rabbit-queues';
import { type RunningDashboard, startDashboard } from '../server/server';
import type { HealthReport, Internals } from '../shared/types';

const KNOBS = { payment_delay_ms: 300, email_delay_ms: 300, payment_failure_rate: 0 };
const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');

/** "1.23 s" or "650 ms" back to milliseconds. */
function toMs(text: string | null): number {
  const match = /([\d.]+)\s*(ms|s)\b/.exec(text ?? '');
  if (!match) return Number.NaN;
  return match[2] === 's' ? Number(match[1]) * 1000 : Number(match[1]);
}

describe('the lab dashboard in a real browser', () => {
  let monolithDb: TestDatabase;
  let mail: TestMail;
  let monolith: Awaited<ReturnType<typeof startMonolith>>;
  let test: TestStack;
  let dashboard: RunningDashboard;
  let browser: BrowserContext;
  let page: Page;
  const labDb = uniqueName('dash_lab');
  let prefix: string;
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-lab-chromium-'));

  /** A call to the monolith itself as its admin: what the stack keeps, not what the page shows. */
  async function asMonolithAdmin(pathname: string, init: { method?: string; body?: unknown } = {}) {
    const login = await fetch(`${monolith.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(DEFAULT_ADMIN),
    });
    const { access_token } = await login.json();
    return fetch(`${monolith.url}${pathname}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  }

  beforeAll(async () => {
    const executablePath = ensureChromium();
    monolithDb = await createTestDatabase('dash_mono');
    mail = await startTestMailCatcher();
    monolith = await startMonolith({
      databaseUrl: monolithDb.url,
      paymentProvider: testPaymentProvider(monolithDb.name),
      smtpPort: mail.smtpPort,
      mailUiUrl: mail.webUrl,
      knobs: KNOBS,
      logLevel: 'silent',
    });
    // The dashboard logs in with the lab's default admin, on both stacks.
    test = await startTestStack({
      label: 'dash',
      mail,
      knobs: KNOBS,
      env: { LAB_ADMIN_EMAIL: DEFAULT_ADMIN.email, LAB_ADMIN_PASSWORD: DEFAULT_ADMIN.password },
    });
    prefix = test.prefix;
    const micro = test.stack;
    dashboard = await startDashboard({
      monolithUrl: monolith.url,
      gatewayUrl: micro.gatewayUrl,
      mailUiUrl: mail.webUrl,
      paymentProviderUrl: testPaymentProvider(labDb).url,
      databaseUrl: testServerUrl(),
      dbName: labDb,
      amqpUrl: test.amqpUrl,
      // The stack's own prefix, as its services declare their queues with it.
      rabbitPrefix: micro.rabbitPrefix,
      page: 'vite',
    });
    // A fresh profile of its own, removed after the run.
    browser = await chromium.launchPersistentContext(userDir, {
      executablePath,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(dashboard.url);
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await dashboard?.stop();
    await test?.stop();
    // The run's queues are durable: the stack's stop removes them; these names make sure, should listing fail.
    if (test) {
      const known = [...queueNames(prefix).flatMap((q) => [q.name, ...q.retry_queues]), `${prefix}.redrive-target`];
      await deleteBrokerObjects(test.amqpUrl, prefix, known).catch(() => {});
    }
    await monolith?.stop();
    await mail?.stop();
    await monolithDb?.drop();
    await dropDatabase(testServerUrl(), labDb).catch(() => {});
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('when a newcomer opens the page, then the first screen says what to do', async () => {
    const intro = page.getByTestId('intro');
    await expect.poll(() => intro.textContent()).toContain('Sign up');
    expect(await intro.textContent()).toContain('Black Friday demo');
  });

  it('when a buyer checks out on the monolith, then the timer runs past both delays and the eleven steps show', async () => {
    await page.getByTestId('signup-monolith').click();
    await page.getByTestId('add-monolith-2').click();
    await expect.poll(() => page.getByTestId('cart-monolith').textContent()).toContain('Total');
    await page.getByTestId('checkout-monolith').click();
    // While the shop holds the buyer, the timer ticks.
    await expect.poll(async () => toMs(await page.getByTestId('timer-monolith').textContent())).toBeGreaterThan(0);
    await page.getByTestId('confirmation-monolith').waitFor({ timeout: 30_000 });
    const waited = toMs(await page.getByTestId('timer-monolith').textContent());
    const processing = toMs(await page.getByTestId('processing-monolith').textContent());
    expect(waited).toBeGreaterThanOrEqual(600);
    expect(processing).toBeGreaterThanOrEqual(600);
    expect(await page.getByTestId('steps-bar').locator('.steps-segment').count()).toBe(11);
  });

  it('when a buyer checks out on the microservices, then the 202 comes at once and the order moves from pending to confirmed', async () => {
    await page.getByTestId('signup-micro').click();
    const stockLeft = async () =>
      Number(/(\d+) left/.exec((await page.getByTestId('stock-micro-2').textContent()) ?? '')?.[1]);
    await expect.poll(stockLeft).toBeGreaterThan(0);
    const stockBefore = await stockLeft();
    await page.getByTestId('add-micro-2').click();
    await expect.poll(() => page.getByTestId('cart-micro').textContent()).toContain('Total');
    await page.getByTestId('checkout-micro').click();
    await page.getByTestId('confirmation-micro').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('status-micro').textContent(), { timeout: 30_000 }).toBe('confirmed');
    const accepted = toMs(await page.getByTestId('processing-micro').textContent());
    const completed = toMs(await page.getByTestId('completion-micro').textContent());
    // The buyer waited for the accept only; the order became final after the delays.
    expect(accepted).toBeLessThan(600);
    expect(completed).toBeGreaterThanOrEqual(600);
    const statuses = await page.getByTestId('status-history-micro').locator('.status').allTextContents();
    expect(statuses[0]).toBe('pending');
    expect(statuses.at(-1)).toBe('confirmed');
    // The stock was reserved after the 202: the pane reloads the catalogue once the order is final.
    await expect.poll(stockLeft).toBe(stockBefore - 1);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-storefronts.png'), fullPage: true });
  });

  it('when the microservices run, then the internals read their real queues, each with a consumer, and every process is healthy', async () => {
    const expected = queueNames(test.stack.rabbitPrefix);
    let internals: Internals | undefined;
    await expect
      .poll(
        async () => {
          internals = (await (await fetch(`${dashboard.url}/api/internals`)).json()) as Internals;
          return internals.queues.filter((q) => q.exists && (q.dead_letter || q.consumers > 0)).length;
        },
        { timeout: 30_000 },
      )
      .toBe(expected.length);
    expect(internals?.rabbit_error).toBeNull();
    expect(internals?.rabbit_prefix).toBe(normalizePrefix(prefix));
    expect(internals?.queues.map((q) => q.name)).toEqual(expected.map((q) => q.name));
    for (const q of internals?.queues ?? []) expect(q.name.startsWith(`${prefix}.`)).toBe(true);
    // One dead-letter queue per consuming service, empty on a healthy run.
    const dlqs = internals?.queues.filter((q) => q.dead_letter) ?? [];
    expect(dlqs.map((q) => q.service).sort()).toEqual(
      ['cart-service', 'email-service', 'order-service', 'payment-service', 'product-service'].sort(),
    );
    for (const dlq of dlqs) expect(dlq.messages).toBe(0);

    const health = (await (await fetch(`${dashboard.url}/api/health`)).json()) as HealthReport;
    expect(health.processes.map((p) => p.name).sort()).toEqual(
      ['monolith', 'payment-provider', ...SERVICE_NAMES].sort(),
    );
    for (const p of health.processes) expect(p.status).toBe('ok');

    await page.getByTestId('tab-internals').click();
    // The page asks the lab API on a timer: on a busy machine its first answer can take longer than poll's 1 s.
    await expect
      .poll(() => page.getByTestId('queues').locator('tbody tr').count(), { timeout: 30_000 })
      .toBe(expected.filter((q) => !q.dead_letter).length);
    await expect
      .poll(() => page.getByTestId('processes').locator('tr').count(), { timeout: 30_000 })
      .toBe(SERVICE_NAMES.length + 2);
    // Back on the storefronts, both checkouts are still there: a peek at the internals loses nothing.
    await page.getByTestId('tab-shops').click();
    expect(await page.getByTestId('status-micro').textContent()).toBe('confirmed');
    expect(await page.getByTestId('confirmation-monolith').isVisible()).toBe(true);
  });

  it("when nobody has logged in, then a change is 401, another site's text/plain POST is 403, and nothing changes", async () => {
    const put = await fetch(`${dashboard.url}/api/lab/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payment_delay_ms: 9999 }),
    });
    expect(put.status).toBe(401);
    // What a form on any web page can send: no preflight, a foreign Origin, a text/plain body.
    const forged = await fetch(`${dashboard.url}/api/lab/reset`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: '{"target": "both"}',
    });
    expect(forged.status).toBe(403);
    const knobs = await (await fetch(`${dashboard.url}/api/lab/config`)).json();
    expect(knobs).toEqual({ monolith: KNOBS, micro: KNOBS });
    // The two checkouts above are still there: the reset did not happen.
    const orders = await asMonolithAdmin('/api/lab/orders');
    expect((await orders.json()).length).toBeGreaterThanOrEqual(1);
    // The page says so too: its controls wait for the login.
    await page.getByTestId('tab-instructor').click();
    expect(await page.getByRole('button', { name: 'Reset both stacks' }).isDisabled()).toBe(true);
  });

  it('when the admin logs in through the page, then a dead letter shows and one click redrives it once', async () => {
    await page.getByTestId('admin-password').fill(DEFAULT_ADMIN.password);
    await page.getByTestId('admin-login').click();
    await page.getByTestId('admin-session').waitFor({ timeout: 10_000 });
    expect(await page.getByRole('button', { name: 'Reset both stacks' }).isDisabled()).toBe(false);

    // A letter parked in email-service's DLQ as the adapter parks one, pointing at a queue of the test's own, so the
    // redrive's effect is read there without a consumer taking it.
    const target = `${prefix}.redrive-target`;
    const connection = await amqp.connect(test.amqpUrl);
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(target, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const messageId = crypto.randomUUID();
    channel.sendToQueue(`${prefix}.email-service.dlq`, Buffer.from(JSON.stringify({ id: messageId })), {
      persistent: true,
      messageId,
      type: 'order.order.paid',
      headers: {
        [HEADERS.originalQueue]: target,
        [HEADERS.error]: 'SMTP refused the connection',
        [HEADERS.retryCount]: 3,
        [HEADERS.deadLetteredAt]: new Date().toISOString(),
      },
    });
    await channel.waitForConfirms();

    await page.getByTestId('tab-internals').click();
    const panel = page.getByTestId('dead-letters');
    await expect.poll(() => panel.textContent(), { timeout: 15_000 }).toContain('SMTP refused the connection');
    await page.getByTestId(`redrive-email-service:${messageId}`).click();
    await expect.poll(() => panel.textContent(), { timeout: 15_000 }).toContain('Redriven: 1');
    await expect.poll(() => panel.textContent(), { timeout: 15_000 }).toContain('No dead letters');
    expect((await channel.checkQueue(target)).messageCount).toBe(1);
    expect((await channel.checkQueue(`${prefix}.email-service.dlq`)).messageCount).toBe(0);
    await connection.close();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-dead-letters.png'), fullPage: true });
  });

  it('when a small Black Friday run goes on all three targets, then the progress moves and the charts appear, a series each', async () => {
    await page.getByTestId('tab-runs').click();
    await page.getByTestId('run-scenario').selectOption('black-friday');
    await page.getByTestId('run-target').selectOption('all');
    await page.getByTestId('run-buyers').fill('6');
    await page.getByTestId('run-stock').fill('3');
    await page.getByTestId('run-payment_delay_ms').fill('300');
    await page.getByTestId('run-email_delay_ms').fill('300');
    await page.getByTestId('run-start').click();
    await page.getByTestId('run-progress').waitFor({ timeout: 15_000 });
    await page.getByTestId('run-charts').waitFor({ timeout: 180_000 });
    const summary = await page.locator('.run-summary').first().textContent();
    expect(summary).toContain('finished');
    // The monolith, the fixed monolith and the microservices each sold exactly the stock: a column each.
    expect(summary).toContain('all three');
    expect(summary?.match(/3 confirmed/g)).toHaveLength(3);
    // The staircase chart has one dot per confirmed order of each target, along their place in the queue (a rush).
    const durations = page.getByTestId('duration-chart');
    await expect.poll(() => durations.locator('.recharts-scatter-symbol').count()).toBeGreaterThanOrEqual(9);
    expect(await durations.locator('.recharts-legend-item-text').allTextContents()).toEqual([
      'Monolith',
      'Monolith, fixed',
      'Microservices',
    ]);
    expect(await durations.getAttribute('data-axis')).toBe('queue');
    expect(await durations.textContent()).toContain('place in the queue');
    expect(await page.getByTestId('lab-cost').textContent()).toContain('of CPU');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    // Every tab at a projector's 1280 px, with both stacks running, for a look by eye.
    for (const tab of ['shops', 'internals', 'history', 'instructor']) {
      await page.getByTestId(`tab-${tab}`).click();
      await page.waitForTimeout(1500);
      await page.screenshot({ path: path.join(ARTIFACTS, `dashboard-tab-${tab}.png`), fullPage: true });
    }
  });

  it('when the admin switches smtp_down on for the monolith in the Faults tab, then its checkout answers 503; switched off, the stack has it off again', async () => {
    const monolithFaults = async () => (await (await asMonolithAdmin('/api/lab/faults')).json()).faults;
    await page.getByTestId('tab-faults').click();
    // The run above left its verdict: nothing lost on either stack.
    for (const stack of ['monolith', 'micro'])
      await expect
        .poll(() => page.getByTestId(`verdict-${stack}-lost`).textContent(), { timeout: 15_000 })
        .toMatch(/^0\b/);
    const toggle = page.getByTestId('fault-monolith-smtp_down');
    // The switch shows what the stack answered: it turns on once the PUT comes back.
    await toggle.click();
    await expect.poll(() => toggle.isChecked()).toBe(true);
    expect((await monolithFaults()).smtp_down).toBe(true);

    await page.getByTestId('tab-shops').click();
    await page.getByTestId('add-monolith-2').click();
    await expect.poll(() => page.getByTestId('cart-monolith').textContent()).toContain('Total');
    await page.getByTestId('checkout-monolith').click();
    await expect
      .poll(() => page.getByTestId('pane-monolith').getByRole('alert').textContent(), { timeout: 30_000 })
      .toContain('503');

    await page.getByTestId('tab-faults').click();
    await toggle.click();
    await expect.poll(() => toggle.isChecked()).toBe(false);
    expect((await monolithFaults()).smtp_down).toBe(false);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-tab-faults.png'), fullPage: true });
  });

  it('when the admin walks a lesson in the Lessons tab, then Check fails with why, Do it for me does it, Check passes and the progress shows', async () => {
    const fixesOnMonolith = async (changes?: Record<string, boolean>) =>
      (await asMonolithAdmin('/api/lab/fixes', changes ? { method: 'PUT', body: changes } : {})).json();
    expect((await fixesOnMonolith()).short_lock).toBe(false);
    await page.getByTestId('tab-lessons').click();
    const row = page.getByTestId('lesson-is-it-the-architecture-or-the-transaction');
    await expect.poll(() => row.getByTestId('lesson-progress').textContent()).toMatch(/^0\/\d+ steps/);
    await row.getByRole('button').click();
    expect(await page.getByTestId('lesson-instructions').textContent()).toContain('short_lock');
    // The lesson's own text from LESSONS.md, beside the step and open on a wide screen: its Why, its code, rendered.
    const prose = page.getByTestId('lesson-text');
    const why = prose.locator('p', { has: page.locator('strong', { hasText: 'Why.' }) });
    await expect.poll(() => why.isVisible()).toBe(true);
    expect(await why.textContent()).toContain('What made the monolith slow was the transaction, not the process');
    expect(await prose.locator('pre code').first().textContent()).toContain('"short_lock": true');
    expect(await prose.locator('h3').first().textContent()).toBe('Is it the architecture or the transaction?');

    await page.getByTestId('lesson-check').click();
    await expect
      .poll(() => page.getByTestId('lesson-result').textContent(), { timeout: 30_000 })
      .toContain('Not yet: short_lock is off');
    expect(await row.getByTestId('lesson-progress').textContent()).toMatch(/^0\//);

    await page.getByTestId('lesson-solve').click();
    await expect
      .poll(() => page.getByTestId('lesson-result').textContent(), { timeout: 30_000 })
      .toContain('Pass: short_lock is on');
    // The solve changed the lab itself, not only the page.
    expect((await fixesOnMonolith()).short_lock).toBe(true);
    await page.getByTestId('lesson-check').click();
    await expect.poll(() => page.getByTestId('lesson-result').textContent()).toContain('Pass: short_lock is on');
    await expect.poll(() => row.getByTestId('lesson-progress').textContent()).toMatch(/^1\/\d+ steps/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-tab-lessons.png'), fullPage: true });

    // The progress is this browser's: a reload keeps it, and the lesson opens at its next step.
    await page.reload();
    await page.getByTestId('tab-lessons').click();
    await expect.poll(() => row.getByTestId('lesson-progress').textContent()).toMatch(/^1\/\d+ steps/);
    await row.getByRole('button').click();
    expect(await page.getByTestId('lesson-instructions').textContent()).toContain('two buyers');
    await fixesOnMonolith({ short_lock: false });
  });

  it('when the instructor starts the instructor mode, then its first step resets both shops and its talk stays over the next tab', async () => {
    await page.getByTestId('tab-instructor').click();
    await page.getByTestId('instructor-mode').click();
    expect(await page.getByTestId('demo-title').textContent()).toBe('Ready when you are');
    expect((await (await asMonolithAdmin('/api/lab/orders')).json()).length).toBeGreaterThan(0);
    await page.getByTestId('demo-next').click();
    await expect.poll(() => page.getByTestId('demo-title').textContent()).toBe('Two shops, the same catalogue');
    expect(await (await asMonolithAdmin('/api/lab/orders')).json()).toEqual([]);
    // The mode stays above whichever tab is open.
    await page.getByTestId('tab-internals').click();
    expect(await page.getByTestId('demo-title').isVisible()).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-instructor-mode.png'), fullPage: true });
    await page.getByTestId('demo-close').click();
    expect(await page.getByTestId('demo-mode').count()).toBe(0);
  });
});
