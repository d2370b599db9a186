import { setMaxListeners } from 'node:events';
import { DEFAULT_PORTS } from '@checkout-lab/kit';
import { verdictProblems } from './chaos-plan';
import { abortError } from './client';
import { cpuProbe } from './cpu';
import { collectEnvironment, defaultAmqpUrl } from './environment';
import { type FixesInForce, fixesFor, switchFixes } from './fixes';
import { readInForce } from './in-force';
import { memoryProbe } from './memory';
import { type BenchOptions, stackOf, type TargetName, targetRunsOf, validateOptions } from './options';
import {
  type ComparableMetric,
  type FloorResult,
  REPORT_SCHEMA_VERSION,
  type Report,
  type TargetResult,
} from './report';
import { measureFloor, measureSequentialFloor } from './scenarios/baseline';
import { runBlackFriday } from './scenarios/black-friday';
import { runChaos } from './scenarios/chaos';
import { runSingle } from './scenarios/single';
import { runSteady } from './scenarios/steady';
import { threeWayGoals } from './scenarios/three-way-goals';
import { runThroughput } from './scenarios/throughput';
import { type Hooks, StackRun } from './stack-run';
import { ratio, round } from './stats';

export type { Hooks, Progress } from './stack-run';

/** The scenarios whose report has CPU figures: each has a window of load to measure them over. */
const CPU_SCENARIOS = new Set(['steady', 'throughput', 'black-friday']);

/**
 * Runs one scenario against the chosen stacks, one stack after the other (they share the machine's cores), and
 * returns the report. A broken invariant makes report.passed false; it never throws for that. It throws for options
 * that make no sense, and with an AbortError when hooks.signal aborts (the load stops at once).
 */
export async function runBenchmark(options: BenchOptions, hooks: Hooks = {}): Promise<Report> {
  validateOptions(options);
  // Every request in flight listens to the signal (a rush is many at once): that is no leak.
  if (hooks.signal) setMaxListeners(0, hooks.signal);
  const startedAt = new Date();
  const failures: string[] = [];
  const targets: Partial<Record<TargetName, TargetResult>> = {};
  // --target all: the blocking monolith, the fixed monolith, the microservices, one after the other.
  const runs = options.scenario === 'baseline' ? [] : targetRunsOf(options.target);
  const stacks = runs.map(stackOf);
  const environment = await collectEnvironment({
    databaseUrl: options.databaseUrl ?? process.env.DATABASE_URL,
    amqpUrl: stacks.includes('micro') || options.scenario === 'baseline' ? defaultAmqpUrl() : undefined,
  });
  checkAborted(hooks);

  // The floor of this machine, measured the way the scenario loads the stacks: one request at a time through the
  // scenario's own client for the sequential scenario, autocannon at the scenario's connections otherwise. A short
  // floor run is enough for the ratios.
  const floorConnections = options.connections;
  const floorSeconds = options.scenario === 'baseline' ? options.durationSec : Math.min(options.durationSec, 5);
  // black-friday needs no floor: its figures are ratios to the configured delays.
  const baseline: FloorResult | null =
    options.scenario === 'black-friday' || options.scenario === 'chaos'
      ? null
      : options.scenario === 'single'
        ? await measureSequentialFloor(1000, hooks)
        : await measureFloor({ connections: floorConnections, durationSec: floorSeconds, rate: options.rate }, hooks);

  for (const target of runs) {
    checkAborted(hooks);
    const stack = stackOf(target);
    const run = new StackRun(stack, options, hooks, target);
    const probe = await memoryProbe(stack, stack === 'monolith' ? options.monolithUrl : options.gatewayUrl);
    // CPU is measured over a window the scenario marks: the load of steady and throughput, black-friday's rushes.
    const cpu = CPU_SCENARIOS.has(options.scenario)
      ? await cpuProbe({
          stack,
          url: run.url,
          databaseUrl: options.databaseUrl ?? process.env.DATABASE_URL,
          embeddedPgPort: Number(process.env.EMBEDDED_PG_PORT) || DEFAULT_PORTS.EMBEDDED_PG_PORT,
          amqpUrl: defaultAmqpUrl(),
          mailUiUrl: options.mailUiUrl,
        })
      : undefined;
    run.cpu = cpu;
    probe.start();
    let fixes: FixesInForce | null = null;
    try {
      // The monolith's fix switches for this target (every one on for monolith-fixed), put back in the finally.
      if (stack === 'monolith') fixes = await switchFixes(options, fixesFor(target, options.target));
      // The faults on and the patterns off as the run starts (a chaos schedule's own come in its report).
      const inForce = await readInForce(options, stack);
      run.emailsAfterFinal = fixes?.during?.async_email ?? false;
      const result =
        options.scenario === 'single'
          ? await runSingle(run)
          : options.scenario === 'black-friday'
            ? await runBlackFriday(run)
            : options.scenario === 'chaos'
              ? await runChaos(run)
              : options.scenario === 'throughput'
                ? await runThroughput(run, baseline)
                : await runSteady(run, baseline);
      result.memory = probe.finish();
      if (cpu) result.cpu = cpu.finish();
      if (fixes?.during) result.fixes = fixes.during;
      if (inForce) result.in_force = inForce;
      targets[target] = result;
      // chaos: the verdict decides (below, per the contract's exit rule); every other scenario: each invariant.
      if (result.schedule) failures.push(...result.schedule.problems.map((p) => `${target}: ${p}`));
      else
        for (const inv of result.invariants.filter((i) => !i.ok))
          failures.push(`${target}: ${inv.name}: ${inv.detail}`);
    } catch (error) {
      if (hooks.signal?.aborted) throw abortError(hooks.signal);
      failures.push(`${target}: the run failed: ${(error as Error).message}`);
    } finally {
      probe.finish();
      run.close();
      await fixes
        ?.restore()
        .catch((error) => failures.push(`${target}: the fixes were not put back: ${(error as Error).message}`));
    }
  }
  // The goals that set the targets of this run side by side (--target all), once every one has run.
  const threeWay = threeWayGoals(options.scenario, targets);
  for (const target of runs) targets[target]?.goals.push(...(threeWay[target] ?? []));

  if (options.scenario === 'chaos') {
    const judged = Object.values(targets).flatMap((t) =>
      t?.schedule
        ? [
            {
              stack: t.stack,
              verdict: t.verdict,
              patternsOff: t.schedule.patterns.filter((p) => p.status === 'applied').map((p) => p.name),
            },
          ]
        : [],
    );
    failures.push(...verdictProblems(judged, options.chaos?.expectViolations ?? false));
  }

  const finishedAt = new Date();
  // No secret goes into a report: the admin's password and the database URL stay out.
  const { admin, databaseUrl: _databaseUrl, ...rest } = options;
  return {
    schema_version: REPORT_SCHEMA_VERSION,
    scenario: options.scenario,
    started_at: startedAt.toISOString(),
    finished_at: finishedAt.toISOString(),
    duration_sec: round((finishedAt.getTime() - startedAt.getTime()) / 1000, 1) ?? 0,
    options: { ...rest, admin: { email: admin.email } },
    environment,
    baseline,
    targets,
    comparable: comparableMetrics(options, baseline, targets),
    passed: failures.length === 0,
    failures,
  };
}

function checkAborted(hooks: Hooks): void {
  if (hooks.signal?.aborted) throw abortError(hooks.signal);
}

/**
 * The figures --baseline compares: each one divided by something measured in the same run (the floor, or the
 * configured delays), so a slower machine does not look like a regression.
 */
export function comparableMetrics(
  options: BenchOptions,
  floor: FloorResult | null,
  targets: Partial<Record<TargetName, TargetResult>>,
): Record<string, ComparableMetric> {
  const out: Record<string, ComparableMetric> = {};
  const add = (
    key: string,
    value: number | null,
    better: 'lower' | 'higher',
    threshold: number,
    description: string,
  ) => {
    out[`${options.scenario}.${key}`] = { value, better, threshold, description };
  };
  if (options.scenario === 'baseline' && floor) {
    add(
      'floor.post_to_get_rate',
      ratio(floor.post.achieved_rate, floor.get.achieved_rate),
      'higher',
      0.25,
      'bare Express POST req/s / GET req/s',
    );
    return out;
  }
  const delays = options.paymentDelayMs + options.emailDelayMs;
  for (const [stack, t] of Object.entries(targets) as [TargetName, TargetResult][]) {
    const m = t.metrics;
    // The checkout's latency at a percentile (client's clock) over a bare Express POST's at the same percentile.
    const checkoutLatencyToFloor = (key: string, p: 'p50' | 'p99', threshold: number, connections: string) =>
      add(
        `${stack}.${key}`,
        ratio(m.client_latency_ms[p], floor?.post.latency_ms[p]),
        'lower',
        threshold,
        `checkout latency ${p} (client) / bare Express POST latency ${p} at ${connections}`,
      );
    if (options.scenario === 'single') {
      checkoutLatencyToFloor('latency_p50_to_floor', 'p50', 0.5, '1 connection');
      checkoutLatencyToFloor('latency_p99_to_floor', 'p99', 0.75, '1 connection');
      if (m.overhead_ms)
        add(
          `${stack}.overhead_p50_to_floor`,
          ratio(m.overhead_ms.p50, floor?.post.latency_ms.p50),
          'lower',
          0.5,
          'monolith overhead p50 / bare Express POST latency p50',
        );
    } else if (options.scenario === 'black-friday') {
      if (stack === 'monolith')
        add(
          'monolith.rush_ratio',
          m.rush_ratio ?? null,
          'lower',
          0.1,
          "slowest buyer's wait / (confirmed buyers x delays)",
        );
      add(
        `${stack}.last_final_to_delays`,
        ratio(m.last_final_ms ?? null, delays),
        'lower',
        0.25,
        'last order final (ms after the rush) / (payment + email delay)',
      );
      add(
        `${stack}.accept_p99_to_delays`,
        ratio(m.client_latency_ms.p99, delays),
        'lower',
        0.5,
        'checkout answer p99 / (payment + email delay)',
      );
    } else if (options.scenario === 'throughput' && m.load) {
      add(
        `${stack}.accepted_checkouts_to_floor`,
        m.accepted_checkouts_to_floor ?? null,
        'higher',
        0.25,
        'accepted checkouts/s (add-to-cart + checkout loops) / bare Express POST req/s',
      );
      add(
        `${stack}.machine_cpu_per_checkout_to_floor`,
        m.machine_cpu_per_checkout_to_floor ?? null,
        'lower',
        0.25,
        "the machine's CPU per accepted checkout / its CPU per bare Express POST, same run",
      );
      checkoutLatencyToFloor('checkout_p99_to_floor', 'p99', 0.5, 'the same connections');
    } else if (options.scenario === 'steady' && m.load) {
      add(
        `${stack}.rps_to_floor`,
        ratio(m.load.achieved_rate, floor?.get.achieved_rate),
        'higher',
        0.25,
        'mixed-load req/s / bare Express GET req/s',
      );
      add(
        `${stack}.accepted_checkouts_to_floor`,
        ratio(m.accepted_checkouts_per_sec ?? null, floor?.post.achieved_rate),
        'higher',
        0.25,
        'accepted checkouts/s / bare Express POST req/s',
      );
      add(
        `${stack}.latency_p99_to_floor`,
        ratio(m.load.latency_ms.p99, floor?.get.latency_ms.p99),
        'lower',
        0.5,
        'mixed-load latency p99 / bare Express GET latency p99',
      );
    }
  }
  return out;
}
