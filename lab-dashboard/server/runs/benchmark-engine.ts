import type { BenchOptions, Report } from '@checkout-lab/benchmarks';
import type { CheckoutSample, RunSettings, TargetId } from '../../shared/types';
import type { DashboardConfig } from '../config';
import type { EngineOutcome, LoadEngine } from './run-manager';

/** The dashboard's run settings as the benchmark engine's options (the scenarios share their names). */
export function engineOptions(target: TargetId, settings: RunSettings, config: DashboardConfig): Partial<BenchOptions> {
  return {
    scenario: settings.scenario,
    target,
    buyers: settings.buyers,
    stock: settings.stock,
    connections: settings.connections,
    durationSec: settings.duration_s,
    paymentDelayMs: settings.payment_delay_ms,
    emailDelayMs: settings.email_delay_ms,
    failureRate: settings.payment_failure_rate,
    repeat: 1,
    monolithUrl: config.monolithUrl,
    gatewayUrl: config.gatewayUrl,
    mailUiUrl: config.mailUiUrl,
    admin: config.admin,
  };
}

/** Reads a progress event of the engine as a fraction 0..1 and a phase a person can read. */
export function readProgress(event: unknown): { fraction: number; phase: string } | null {
  if (!event || typeof event !== 'object') return null;
  const e = event as Record<string, unknown>;
  const fraction =
    typeof e.fraction === 'number'
      ? e.fraction
      : typeof e.done === 'number' && typeof e.total === 'number' && e.total > 0
        ? e.done / e.total
        : null;
  if (fraction === null) return null;
  const phase = [e.phase, e.label, e.message].find((v) => typeof v === 'string') as string | undefined;
  return { fraction, phase: phase ?? 'running' };
}

export function toOutcome(report: Report, target: TargetId): EngineOutcome {
  const result = report.targets[target];
  if (!result) throw new Error(report.failures[0] ?? `the benchmark engine reported nothing for ${target}`);
  const load = result.metrics.load;
  const client = result.metrics.client_latency_ms;
  const non2xx = Object.entries(result.http.by_status)
    .filter(([status]) => !status.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  const samples: CheckoutSample[] = result.orders.map((o) => ({
    order_id: o.id,
    started_at_ms: o.started_at_ms,
    client_latency_ms: o.client_latency_ms,
    http_status: o.http_status,
    final_status: o.final_status,
    processing_duration_ms: o.processing_duration_ms,
    completion_duration_ms: o.completion_duration_ms,
  }));
  const seconds = load?.duration_sec ?? report.duration_sec;
  const requests = load?.total_requests ?? result.http.total;
  return {
    requests,
    requests_per_sec: load ? load.achieved_rate : seconds > 0 ? requests / seconds : 0,
    errors: load ? load.errors : result.http.network_errors,
    non_2xx: load ? load.non_2xx : non2xx,
    latency_ms: load
      ? load.latency_ms
      : { p50: client.p50 ?? 0, p90: client.p90 ?? 0, p99: client.p99 ?? 0, max: client.max ?? 0 },
    throughput: throughputFromSamples(samples),
    samples,
    invariants: result.invariants.map((i) => ({ name: i.name, ok: i.ok, detail: i.detail })),
    // The checker's verdict as the benchmark reports it: the Faults view shows the last one per stack.
    verdict: result.verdict,
    verdict_ids: result.verdict_ids,
    // What was broken when it ran: the faults on and the patterns off at its start.
    in_force: result.in_force,
  };
}

/** Responses completed in each second after the start, from the buyers' own clocks. */
export function throughputFromSamples(samples: CheckoutSample[]): { second: number; requests: number }[] {
  if (!samples.length) return [];
  const buckets = new Map<number, number>();
  for (const s of samples) {
    const second = Math.floor((s.started_at_ms + s.client_latency_ms) / 1000);
    buckets.set(second, (buckets.get(second) ?? 0) + 1);
  }
  const last = Math.max(...buckets.keys());
  return Array.from({ length: last + 1 }, (_, second) => ({ second, requests: buckets.get(second) ?? 0 }));
}

/** The benchmark engine (@checkout-lab/benchmarks), loaded when the first run starts: the page needs none of it. */
export async function benchmarkEngine(config: DashboardConfig): Promise<LoadEngine> {
  let engine: typeof import('@checkout-lab/benchmarks');
  try {
    engine = await import('@checkout-lab/benchmarks');
  } catch (error) {
    throw new Error(`The benchmark engine (benchmarks/src/index.ts) cannot be loaded: ${(error as Error).message}`);
  }
  return {
    async run(target, settings, hooks) {
      const options = { ...engine.DEFAULT_BENCH_OPTIONS, ...engineOptions(target, settings, config) };
      const report = await engine.runBenchmark(options, {
        signal: hooks.signal,
        onProgress: (event) => {
          const progress = readProgress(event);
          if (progress) hooks.onProgress(progress.fraction, progress.phase);
        },
      });
      return toOutcome(report, target);
    },
  };
}
