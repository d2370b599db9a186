import { DEFAULT_ADMIN } from '@checkout-lab/kit';
import { testServerUrl } from '@checkout-lab/kit/testing';
import { startTestShop, startTestStack, type TestShop, type TestStack } from '@checkout-lab/stacks/testing';
import { failingCounts } from '@checkout-lab/stacks/verdict';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchOptions, DEFAULT_BENCH_OPTIONS, runBenchmark, toMarkdown } from '../src/index';

/**
 * The fair fight in small: --target all on a Black Friday of 8 buyers and a stock of 4, against a real monolith and
 * real microservices sharing one mail catcher, as in the lab. The monolith runs blocking, then with every fix on,
 * then the microservices; each verdict is clean and the monolith's fix switches are what they were before.
 */
describe('--target all: the blocking monolith, the fixed monolith and the microservices in one run', () => {
  let shop: TestShop;
  let micro: TestStack;
  /** What the student had switched before the run: only short_lock. */
  const before = {
    short_lock: true,
    payment_outside_transaction: false,
    async_email: false,
    accept_then_process: false,
  };

  const fixesNow = async () => (await shop.api('GET', '/api/lab/fixes', { token: shop.adminToken })).body;

  const options = (overrides: Partial<BenchOptions> = {}): BenchOptions => ({
    ...DEFAULT_BENCH_OPTIONS,
    scenario: 'black-friday',
    target: 'all',
    buyers: 8,
    stock: 4,
    paymentDelayMs: 20,
    emailDelayMs: 20,
    monolithUrl: shop.monolith.url,
    gatewayUrl: micro.gateway,
    mailUiUrl: shop.mail.webUrl,
    databaseUrl: testServerUrl(),
    ...overrides,
  });

  beforeAll(async () => {
    shop = await startTestShop();
    micro = await startTestStack({
      label: 'bench_threeway',
      mail: shop.mail,
      env: { LAB_ADMIN_EMAIL: DEFAULT_ADMIN.email, LAB_ADMIN_PASSWORD: DEFAULT_ADMIN.password },
    });
  });

  afterAll(async () => {
    await micro?.stop();
    await shop?.stop();
  });

  it('when 8 buyers rush a stock of 4 on each target, then the report has the three, each verdict clean, and the fixes are put back', async () => {
    expect((await shop.api('PUT', '/api/lab/fixes', { token: shop.adminToken, body: before })).status).toBe(200);
    const report = await runBenchmark(options());
    expect(report.failures).toEqual([]);
    expect(report.passed).toBe(true);
    expect(Object.keys(report.targets)).toEqual(['monolith', 'monolith-fixed', 'micro']);
    for (const name of ['monolith', 'monolith-fixed', 'micro'] as const) {
      const t = report.targets[name]!;
      expect(t.target).toBe(name);
      expect(failingCounts(t.verdict)).toEqual([]);
      expect(t.verdict).toMatchObject({ accepted: t.metrics.accepted, final: t.metrics.accepted });
      expect(t.invariants.filter((i) => !i.ok)).toEqual([]);
      expect(t.metrics.checkouts).toBe(8);
      expect(t.metrics.confirmed).toBe(4);
      expect(t.metrics.not_final).toBe(0);
    }
    const blocking = report.targets.monolith!;
    const fixed = report.targets['monolith-fixed']!;
    // The three-way run's monolith is the blocking one; monolith-fixed has every switch on.
    expect(blocking.stack).toBe('monolith');
    expect(fixed.stack).toBe('monolith');
    expect(blocking.fixes).toEqual({ ...before, short_lock: false });
    expect(fixed.fixes).toEqual({
      short_lock: true,
      payment_outside_transaction: true,
      async_email: true,
      accept_then_process: true,
    });
    // accept_then_process: the fixed monolith answers 202 and the order goes pending -> confirmed, as the microservices'.
    expect(new Set(fixed.orders.filter((o) => o.accepted).map((o) => o.http_status))).toEqual(new Set([202]));
    expect(new Set(blocking.orders.filter((o) => o.accepted).map((o) => o.http_status))).toEqual(new Set([201]));
    // The lock on the hot product: the blocking buyers queue behind it, sampled from pg_stat_activity.
    expect(blocking.lock_wait?.source).toBe('pg_stat_activity');
    expect(fixed.lock_wait?.source).toBe('pg_stat_activity');
    expect(blocking.lock_wait?.longest_ms).toBeGreaterThan(fixed.lock_wait?.longest_ms ?? 0);
    // The goals that compare the targets of one run are on the fixed monolith.
    expect(fixed.goals.map((g) => g.name)).toEqual([
      'fixed_last_answer_within_micro',
      'fixed_all_final_within_3s',
      'fixed_verdict_clean',
      'fixed_lock_wait_under_50ms',
    ]);
    expect(fixed.goals.find((g) => g.name === 'fixed_verdict_clean')?.passed).toBe(true);
    expect(await fixesNow()).toEqual(before);

    const md = toMarkdown(report);
    expect(md).toContain('| monolith | monolith, every fix on | microservices |');
    expect(md).toContain('| lost | 0 | 0 | 0 |');
  }, 240_000);

  it('when the run is cancelled during the fixed monolith, then the fixes are put back as they were', async () => {
    expect((await shop.api('PUT', '/api/lab/fixes', { token: shop.adminToken, body: before })).status).toBe(200);
    const controller = new AbortController();
    let seenOn: unknown = null;
    const run = runBenchmark(options({ target: 'monolith-fixed', buyers: 4, stock: 2 }), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.target === 'monolith-fixed' && p.phase === 'prepare' && !controller.signal.aborted) {
          controller.abort();
          seenOn = p.target;
        }
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seenOn).toBe('monolith-fixed');
    expect(await fixesNow()).toEqual(before);
  }, 120_000);
});
