import type { StackId, TargetResult } from './types';

/**
 * Shapes run results into the rows recharts draws. Pure functions, so the charts' logic is tested without a browser.
 */

export interface HistogramRow {
  label: string;
  from: number;
  to: number;
  monolith: number;
  micro: number;
}

/** A "nice" bucket width (1, 2 or 5 times a power of ten) that cuts max into about `target` buckets. */
export function niceBucketWidth(max: number, target = 12): number {
  if (!(max > 0)) return 1;
  const raw = max / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (step * power >= raw) return step * power;
  return 10 * power;
}

/** Both stacks' values counted in the same buckets, so the two distributions share one axis. */
export function histogram(values: Partial<Record<StackId, number[]>>, target = 12): HistogramRow[] {
  const all = [...(values.monolith ?? []), ...(values.micro ?? [])];
  if (!all.length) return [];
  const max = Math.max(...all);
  const width = niceBucketWidth(max, target);
  const count = Math.floor(max / width) + 1;
  const rows: HistogramRow[] = Array.from({ length: count }, (_, i) => ({
    label: bucketLabel(i * width, (i + 1) * width),
    from: i * width,
    to: (i + 1) * width,
    monolith: 0,
    micro: 0,
  }));
  for (const stack of ['monolith', 'micro'] as const) {
    for (const v of values[stack] ?? []) rows[Math.min(count - 1, Math.floor(v / width))][stack] += 1;
  }
  return rows;
}

function bucketLabel(from: number, to: number): string {
  const unit = to >= 10_000 ? 's' : 'ms';
  const f = (n: number) => (unit === 's' ? `${n / 1000}` : `${n}`);
  return `${f(from)}–${f(to)} ${unit}`;
}

export interface DurationPoint {
  /** 1 for the first buyer to start, 2 for the next... (ties: the shorter wait first). */
  buyer: number;
  /** Seconds after the run began when the checkout started. */
  start_s: number;
  duration_ms: number;
  order_id: number | null;
}

/**
 * Each order's duration against when it started: the monolith's Black Friday staircase, the microservices' flat line.
 * Uses the buyers' own clock when the engine recorded each checkout, else the server's order times.
 */
export function durationPoints(
  result: TargetResult,
  field: 'processing' | 'completion' = 'processing',
): DurationPoint[] {
  const key = field === 'processing' ? 'processing_duration_ms' : 'completion_duration_ms';
  const fromSamples = (result.samples ?? [])
    .filter((s) => s.order_id !== null && s[key] !== null)
    .map((s) => ({ start_s: s.started_at_ms / 1000, duration_ms: s[key] as number, order_id: s.order_id }));
  if (fromSamples.length) return ranked(fromSamples);
  const orders = result.orders.filter((o) => o[key] !== null);
  if (!orders.length) return [];
  const t0 = Math.min(...orders.map((o) => Date.parse(o.created_at)));
  return ranked(
    orders.map((o) => ({
      start_s: (Date.parse(o.created_at) - t0) / 1000,
      duration_ms: o[key] as number,
      order_id: o.id,
    })),
  );
}

/**
 * Numbers the buyers in the order they started. In a rush they all start within a millisecond, so the start time
 * alone would stack every dot on one vertical line; the rank spreads them out and shows the queue.
 */
function ranked(points: Omit<DurationPoint, 'buyer'>[]): DurationPoint[] {
  return [...points]
    .sort((a, b) => a.start_s - b.start_s || a.duration_ms - b.duration_ms)
    .map((p, index) => ({ buyer: index + 1, ...p }));
}

/** The server-side durations of every order of one result. */
export function serverDurations(result: TargetResult | undefined, field: 'processing' | 'completion'): number[] {
  if (!result) return [];
  const key = field === 'processing' ? 'processing_duration_ms' : 'completion_duration_ms';
  return result.orders.map((o) => o[key]).filter((v): v is number => typeof v === 'number');
}

export interface ThroughputRow {
  second: number;
  monolith: number | null;
  micro: number | null;
}

/** Requests completed per second, both stacks on one time axis (seconds since each run began). */
export function throughputRows(results: TargetResult[]): ThroughputRow[] {
  const byStack = new Map(results.map((r) => [r.target, r.throughput ?? []]));
  const length = Math.max(0, ...results.map((r) => (r.throughput ?? []).length));
  return Array.from({ length }, (_, second) => ({
    second,
    monolith: byStack.get('monolith')?.[second]?.requests ?? null,
    micro: byStack.get('micro')?.[second]?.requests ?? null,
  }));
}

export interface StepSegment {
  name: string;
  duration_ms: number;
  /** Share of the total, 0..1: the segment's width in the bar. */
  share: number;
}

/** The monolith's eleven steps (or the microservices' hops) as segments of one bar, in their order. */
export function stepSegments(steps: { name: string; duration_ms: number }[]): StepSegment[] {
  const total = steps.reduce((sum, s) => sum + Math.max(0, s.duration_ms), 0);
  return steps.map((s) => ({
    name: s.name,
    duration_ms: s.duration_ms,
    share: total > 0 ? Math.max(0, s.duration_ms) / total : 0,
  }));
}

/** How many orders ended in each status. */
export function statusCounts(result: TargetResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of result.orders) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return counts;
}
