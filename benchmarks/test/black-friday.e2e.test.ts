import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_ADMIN } from '@checkout-lab/kit';
import {
  createTestDatabase,
  startTestMailCatcher,
  type TestDatabase,
  type TestMail,
  testPaymentProvider,
} from '@checkout-lab/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '@checkout-lab/stacks/testing';
import { failingCounts } from '@checkout-lab/stacks/verdict';
import { startMonolith } from '@checkout-lab/monolith';
import { type BenchOptions, DEFAULT_BENCH_OPTIONS, type Report, runBenchmark, writeReport } from '../src/index';

/** A tiny Black Friday: 6 buyers, stock 3, short delays, so the test checks behaviour, not speed. */
function tinyRush(overrides: Partial<BenchOptions>): BenchOptions {
  return {
    ...DEFAULT_BENCH_OPTIONS,
    scenario: 'black-friday',
    buyers: 6,
    stock: 3,
    paymentDelayMs: 20,
    emailDelayMs: 20,
    failureRate: 0,
    repeat: 1,
    ...overrides,
  };
}

/** What every black-friday report must hold for one stack, whatever the stack. */
function expectCleanRush(report: Report, stack: 'monolith' | 'micro'): void {
  const t = report.targets[stack]!;
  expect(t).toBeDefined();
  expect(t.invariants.length).toBeGreaterThanOrEqual(8);
  expect(t.invariants.filter((i) => !i.ok)).toEqual([]);
  // The verdict: every accepted order final, nothing lost, doubled or out of place, the stock adds up.
  expect(failingCounts(t.verdict)).toEqual([]);
  expect(t.verdict).toMatchObject({ accepted: t.metrics.accepted, final: t.metrics.accepted, recovered: 0 });
  expect(Object.values(t.verdict_ids).flat()).toEqual([]);
  expect(t.metrics.checkouts).toBe(6);
  expect(t.metrics.confirmed).toBe(3);
  expect(t.metrics.not_final).toBe(0);
  expect(t.orders).toHaveLength(6);
  for (const o of t.orders.filter((x) => x.final_status === 'confirmed')) {
    expect(o.processing_duration_ms).toBeGreaterThanOrEqual(0);
    expect(o.completion_duration_ms).toBeGreaterThanOrEqual(40);
  }
  expect(t.knobs).toEqual({ payment_delay_ms: 20, email_delay_ms: 20, payment_failure_rate: 0 });
  expect(t.metrics.client_latency_ms.count).toBe(6);
  expect(t.metrics.client_latency_ms.p50).not.toBeNull();
  expect(t.http.status_5xx).toBe(0);
}

describe('black-friday on the monolith', () => {
  let db: TestDatabase;
  let mail: TestMail;
  let monolith: Awaited<ReturnType<typeof startMonolith>>;
  let outDir: string;

  beforeAll(async () => {
    db = await createTestDatabase('bench_e2e_mono');
    mail = await startTestMailCatcher();
    monolith = await startMonolith({
      databaseUrl: db.url,
      paymentProvider: testPaymentProvider(db.name),
      smtpPort: mail.smtpPort,
      mailUiUrl: mail.webUrl,
      logLevel: 'silent',
    });
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-e2e-'));
  });

  afterAll(async () => {
    await monolith?.stop();
    await mail?.stop();
    await db?.drop();
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  it('when 6 buyers rush a stock of 3, then 3 are confirmed, 3 refused 409, every invariant holds and the report files are written', async () => {
    const phases = new Set<string>();
    const report = await runBenchmark(
      tinyRush({ target: 'monolith', monolithUrl: monolith.url, mailUiUrl: mail.webUrl }),
      {
        onProgress: (p) => phases.add(p.phase),
      },
    );
    expect(report.failures).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.schema_version).toBe(1);
    expect(report.scenario).toBe('black-friday');
    expect(report.options).not.toHaveProperty('admin.password');
    expect(report.environment.cores).toBeGreaterThan(0);
    expect(report.environment.node).toBe(process.version);
    expectCleanRush(report, 'monolith');
    const t = report.targets.monolith!;
    expect(t.metrics.refused).toBe(3);
    expect(t.orders.filter((o) => !o.accepted).map((o) => [o.http_status, o.error_code])).toEqual(
      Array(3).fill([409, 'OUT_OF_STOCK']),
    );
    // The lock queues the buyers: the slowest confirmed buyer waited at least the three checkouts before it.
    expect(t.metrics.rush_ratio).not.toBeNull();
    expect(Math.max(...t.orders.map((o) => o.client_latency_ms))).toBeGreaterThanOrEqual(3 * 40);
    expect(t.goals.map((g) => g.name)).toEqual(['monolith_rush_fidelity']);
    expect(report.comparable['black-friday.monolith.rush_ratio'].value).toBe(t.metrics.rush_ratio);
    expect([...phases]).toEqual(expect.arrayContaining(['reset', 'warmup', 'prepare', 'run', 'verify']));

    const written = await writeReport(report, outDir);
    const json = JSON.parse(fs.readFileSync(path.join(outDir, 'report.json'), 'utf8')) as Report;
    expect(json.targets.monolith?.metrics.confirmed).toBe(3);
    expect(written.files).toEqual(expect.arrayContaining(['report.json', 'report.md', 'order-timeline.svg']));
    expect(fs.readFileSync(path.join(outDir, 'order-timeline.svg'), 'utf8')).toMatch(/^<svg/);
    const markdown = fs.readFileSync(path.join(outDir, 'report.md'), 'utf8');
    expect(markdown).toContain('confirmed_within_stock');
    expect(json.targets.monolith?.verdict).toMatchObject({ accepted: 3, final: 3, lost: 0, stock_drift: 0 });
    expect(markdown).toContain('| accepted | 3 |');
  });

  it('when the signal aborts mid-run, then runBenchmark rejects with an AbortError', async () => {
    const controller = new AbortController();
    const run = runBenchmark(
      tinyRush({ target: 'monolith', buyers: 4, monolithUrl: monolith.url, mailUiUrl: mail.webUrl }),
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'prepare') controller.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('black-friday on the microservices', () => {
  let mail: TestMail;
  let micro: TestStack;

  beforeAll(async () => {
    mail = await startTestMailCatcher();
    // The engine logs in with the lab's default admin, as on a running lab.
    micro = await startTestStack({
      label: 'bench_e2e',
      mail,
      env: { LAB_ADMIN_EMAIL: DEFAULT_ADMIN.email, LAB_ADMIN_PASSWORD: DEFAULT_ADMIN.password },
    });
  });

  afterAll(async () => {
    await micro?.stop();
    await mail?.stop();
  });

  it('when 6 buyers rush a stock of 3, then all are accepted, 3 confirmed, 3 cancelled or refused, every invariant holds', async () => {
    const report = await runBenchmark(tinyRush({ target: 'micro', gatewayUrl: micro.gateway, mailUiUrl: mail.webUrl }));
    expect(report.failures).toEqual([]);
    expect(report.passed).toBe(true);
    expectCleanRush(report, 'micro');
    const t = report.targets.micro!;
    // Out of stock either at once (409) or as a cancelled order: together, the three who missed out.
    expect(t.metrics.cancelled + t.metrics.refused).toBe(3);
    for (const o of t.orders.filter((x) => x.accepted)) {
      expect([201, 202]).toContain(o.http_status);
      expect(['confirmed', 'cancelled']).toContain(o.final_status);
      expect(o.completion_duration_ms).not.toBeNull();
    }
    expect(t.goals.map((g) => g.name)).toEqual(['micro_all_accepted_within_1s', 'micro_all_final_within_3s']);
    expect(t.metrics.last_final_ms).toBeGreaterThanOrEqual(t.metrics.last_accept_ms ?? 0);
  });
});
