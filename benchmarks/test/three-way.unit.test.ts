import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NO_FIXES } from '@checkout-lab/contract';
import { VERDICT_COUNTS } from '@checkout-lab/stacks/verdict';
import { describe, expect, it } from 'vitest';
import { COLORS, distributionSpec, renderSvg, timelineSpec } from '../src/charts';
import { ALL_FIXES, fixesFor } from '../src/fixes';
import { toMarkdown } from '../src/markdown';
import { DEFAULT_BENCH_OPTIONS, stackOf, targetRunsOf, targetsOf, validateOptions } from '../src/options';
import type { CpuResult, LockWaitResult, OrderSample, Report, TargetResult } from '../src/report';
import { threeWayGoals } from '../src/scenarios/three-way-goals';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli.ts');

const summary = (p50: number, p99: number) => ({ count: 3, min: p50, p50, p90: p99, p99, max: p99, mean: p50 });

function lockWait(longest: number | null): LockWaitResult {
  return {
    source: longest === null ? 'unknown' : 'pg_stat_activity',
    detail: 'sessions of shop_db with wait_event_type = Lock',
    databases: ['shop_db'],
    interval_ms: 20,
    samples: 40,
    samples_with_waits: longest ? 30 : 0,
    most_waiting: longest ? 9 : 0,
    longest_ms: longest,
  };
}

function cpu(windowMs: number, settledMs: number): CpuResult {
  // The whole machine's figure is ten times as much (other processes on it): the goal reads the listed processes'.
  const window = (ms: number) => ({
    all_listed: { ms_per_accepted_checkout: ms, cpu_s: 1, core_share: 0.5 },
    machine: { ms_per_accepted_checkout: ms * 10, busy_cpu_s: 10, busy_share: 1, cores: 2, other_cpu_s: 9 },
  });
  return { window: window(windowMs), with_settle: window(settledMs) } as unknown as CpuResult;
}

function order(started: number, latency: number, completion: number): OrderSample {
  return {
    id: started + 1,
    repetition: 0,
    buyer: started,
    http_status: 201,
    error_code: null,
    started_at_ms: started,
    client_latency_ms: latency,
    accepted: true,
    final_status: 'confirmed',
    failure_reason: null,
    processing_duration_ms: latency,
    completion_duration_ms: completion,
  };
}

/** A target's result with the figures the three-way report reads; the rest left out. */
function target(
  name: TargetResult['target'],
  figures: { lastAccept: number; lastFinal: number; p50: number; lock?: number | null; lost?: number },
): TargetResult {
  return {
    target: name,
    stack: stackOf(name),
    fixes: name === 'micro' ? undefined : name === 'monolith' ? NO_FIXES : ALL_FIXES,
    metrics: {
      checkouts: 3,
      accepted: 3,
      confirmed: 3,
      cancelled: 0,
      refused: 0,
      not_final: 0,
      client_latency_ms: summary(figures.p50, figures.lastAccept),
      processing_duration_ms: summary(figures.p50, figures.lastAccept),
      completion_duration_ms: summary(figures.p50, figures.lastFinal),
      last_accept_ms: figures.lastAccept,
      last_final_ms: figures.lastFinal,
    },
    goals: [],
    verdict: {
      ...Object.fromEntries(VERDICT_COUNTS.map((count) => [count, 0])),
      accepted: 3,
      final: 3,
      lost: figures.lost ?? 0,
    },
    verdict_ids: {},
    invariants: [{ name: 'no_lost_orders', ok: true, detail: '' }],
    http: { total: 3, by_status: { '201': 3 }, network_errors: 0, status_5xx: 0 },
    orders: [order(0, figures.p50, figures.p50), order(1, figures.lastAccept, figures.lastFinal)],
    lock_wait: figures.lock === undefined ? undefined : lockWait(figures.lock),
    notes: [],
  } as unknown as TargetResult;
}

function threeWayReport(targets: Report['targets']): Report {
  return {
    scenario: 'black-friday',
    passed: true,
    failures: [],
    started_at: '',
    duration_sec: 1,
    environment: { cpu_model: 'x', cores: 2, node: 'v20', postgres: 'unknown', rabbitmq: 'unknown', git_commit: 'x' },
    options: { ...DEFAULT_BENCH_OPTIONS, target: 'all' },
    baseline: null,
    targets,
    comparable: {},
  } as unknown as Report;
}

describe('--target: monolith-fixed and all', () => {
  it('when the target is all, then the blocking monolith, the fixed one and the microservices run in that order', () => {
    expect(targetRunsOf('all')).toEqual(['monolith', 'monolith-fixed', 'micro']);
    expect(targetRunsOf('both')).toEqual(['monolith', 'micro']);
    expect(targetRunsOf('monolith-fixed')).toEqual(['monolith-fixed']);
    // The stacks they need running: monolith-fixed is the monolith.
    expect(targetsOf('all')).toEqual(['monolith', 'micro']);
    expect(targetsOf('monolith-fixed')).toEqual(['monolith']);
    expect(stackOf('monolith-fixed')).toBe('monolith');
  });

  it('when the target is all, then the monolith runs with every fix off and monolith-fixed with every one on; alone, the monolith keeps what it has', () => {
    expect(fixesFor('monolith-fixed', 'all')).toEqual({
      short_lock: true,
      payment_outside_transaction: true,
      async_email: true,
      accept_then_process: true,
    });
    expect(fixesFor('monolith-fixed', 'monolith-fixed')).toEqual(ALL_FIXES);
    expect(fixesFor('monolith', 'all')).toEqual(NO_FIXES);
    expect(fixesFor('monolith', 'monolith')).toBeNull();
    expect(fixesFor('monolith', 'both')).toBeNull();
  });

  it('when the options name an unknown target, then they are refused; monolith-fixed and all are valid', () => {
    expect(() => validateOptions({ ...DEFAULT_BENCH_OPTIONS, target: 'all' })).not.toThrow();
    expect(() => validateOptions({ ...DEFAULT_BENCH_OPTIONS, target: 'monolith-fixed' })).not.toThrow();
    expect(() => validateOptions({ ...DEFAULT_BENCH_OPTIONS, target: 'fixed' as never })).toThrow(
      /unknown target "fixed"/,
    );
  });

  it('when the CLI gets --target fixed, then it exits 2 naming every target; --help lists them', async () => {
    const run = promisify(execFile);
    const bad = await run(process.execPath, ['--import', 'tsx', CLI, '--target', 'fixed']).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--target must be one of monolith, monolith-fixed, micro, both, all');
    const help = await run(process.execPath, ['--import', 'tsx', CLI, '--help']);
    expect(help.stdout).toContain('monolith | monolith-fixed | micro | both | all');
  }, 30_000);
});

describe('the three-way goals', () => {
  it('when the fixed monolith answers its last buyer before the microservices, all final in 3 s, locks short, then every goal is met', () => {
    const goals = threeWayGoals('black-friday', {
      monolith: target('monolith', { lastAccept: 30_000, lastFinal: 30_000, p50: 15_000, lock: 2_700 }),
      'monolith-fixed': target('monolith-fixed', { lastAccept: 400, lastFinal: 900, p50: 200, lock: 3 }),
      micro: target('micro', { lastAccept: 650, lastFinal: 1500, p50: 300, lock: 0 }),
    });
    expect(goals['monolith-fixed']?.map((g) => [g.name, g.value, g.limit, g.passed])).toEqual([
      ['fixed_last_answer_within_micro', 400, 650, true],
      ['fixed_all_final_within_3s', 900, 3000, true],
      ['fixed_verdict_clean', 0, 0, true],
      ['fixed_lock_wait_under_50ms', 3, 50, true],
    ]);
    expect(goals.monolith?.map((g) => [g.name, g.value, g.passed])).toEqual([
      ['blocking_lock_wait_seconds', 2_700, true],
    ]);
    expect(goals.micro).toBeUndefined();
  });

  it('when the fixed monolith answers after the microservices, loses an order and waits on the lock, then those goals are missed', () => {
    const goals = threeWayGoals('black-friday', {
      'monolith-fixed': target('monolith-fixed', { lastAccept: 900, lastFinal: 3500, p50: 200, lock: 800, lost: 1 }),
      micro: target('micro', { lastAccept: 650, lastFinal: 1500, p50: 300 }),
    });
    expect(goals['monolith-fixed']?.map((g) => g.passed)).toEqual([false, false, false, false]);
  });

  it('when the microservices did not run or the lock was not sampled, then the goal is reported not measured', () => {
    const goals = threeWayGoals('black-friday', {
      'monolith-fixed': target('monolith-fixed', { lastAccept: 400, lastFinal: 900, p50: 200, lock: null }),
    });
    const byName = Object.fromEntries((goals['monolith-fixed'] ?? []).map((g) => [g.name, g.passed]));
    expect(byName).toMatchObject({ fixed_last_answer_within_micro: null, fixed_lock_wait_under_50ms: null });
  });

  it("when the throughput run measured both, then the fixed monolith's CPU per checkout is compared with a third of the microservices', through settling", () => {
    const fixed = { ...target('monolith-fixed', { lastAccept: 1, lastFinal: 1, p50: 1 }), cpu: cpu(5, 6) };
    const micro = { ...target('micro', { lastAccept: 1, lastFinal: 1, p50: 1 }), cpu: cpu(20, 30) };
    const [met] = threeWayGoals('throughput', { 'monolith-fixed': fixed, micro })['monolith-fixed'] ?? [];
    expect(met).toMatchObject({ name: 'fixed_cpu_per_checkout_third_of_micro', value: 0.2, limit: 0.333 });
    expect(met.passed).toBe(true);
    const [missed] =
      threeWayGoals('throughput', { 'monolith-fixed': { ...fixed, cpu: cpu(5, 15) }, micro })['monolith-fixed'] ?? [];
    expect(missed.value).toBe(0.5);
    expect(missed.passed).toBe(false);
  });
});

describe('the three-way report', () => {
  const report = threeWayReport({
    micro: target('micro', { lastAccept: 650, lastFinal: 1500, p50: 300, lock: 0 }),
    monolith: target('monolith', { lastAccept: 30_000, lastFinal: 30_000, p50: 15_000, lock: 2_700 }),
    'monolith-fixed': target('monolith-fixed', { lastAccept: 400, lastFinal: 900, p50: 200, lock: 3 }),
  });

  it('when report.md is written, then every row has three columns in the order monolith, fixed, microservices', () => {
    const md = toMarkdown(report);
    expect(md).toContain('| figure (ms: p50 / p90 / p99 / max) | monolith | monolith, every fix on | microservices |');
    expect(md).toContain('| last answer, ms after the rush began | 30,000 | 400 | 650 |');
    expect(md).toContain('| last order final, ms after the rush began | 30,000 | 900 | 1,500 |');
    expect(md).toContain(
      '| monolith fix switches on (GET /api/lab/fixes) | none: the blocking checkout | short_lock, payment_outside_transaction, async_email, accept_then_process | – |',
    );
    expect(md).toMatch(
      /\| longest lock wait on the hot product, ms \(pg_stat_activity\) \| 2,700 \(9 waiting at most.*\| 3 \(9 .*\| 0 \(0 waiting at most/,
    );
    expect(md).toContain('| count | monolith | monolith, every fix on | microservices |');
    expect(md).toContain('| lost | 0 | 0 | 0 |');
    expect(md).toContain('- monolith, every fix on: sessions of shop_db');
  });

  it('when the engine added the three-way goals, then report.md names the fixed monolith beside each', () => {
    const withGoals = structuredClone(report);
    const goals = threeWayGoals('black-friday', withGoals.targets);
    withGoals.targets['monolith-fixed']?.goals.push(...(goals['monolith-fixed'] ?? []));
    expect(toMarkdown(withGoals)).toMatch(
      /\| monolith, every fix on \| monolith, every fix on: the last checkout answered.*\| 400 ms \| ≤ 650 ms \| met \|/,
    );
  });

  it('when the charts are drawn, then each target is its own series in its own colour, and vega renders them', async () => {
    const timeline = timelineSpec(report) as { data: { values: { stack: string; color: string }[] }[] };
    const panels = [...new Set(timeline.data[0].values.map((r) => `${r.stack} ${r.color}`))];
    expect(panels).toEqual([
      `monolith ${COLORS.monolith}`,
      `fixed monolith ${COLORS['monolith-fixed']}`,
      `microservices ${COLORS.micro}`,
    ]);
    expect(new Set(Object.values(COLORS)).size).toBe(3);
    const distribution = distributionSpec(report) as { data: { values: { series: string }[] }[] };
    expect([...new Set(distribution.data[0].values.map((r) => r.series))]).toEqual(
      expect.arrayContaining(['fixed monolith: processing', 'fixed monolith: completion']),
    );
    const svg = await renderSvg(timelineSpec(report) as object);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain(COLORS['monolith-fixed']);
    expect(svg).toContain('fixed monolith');
  });
});
