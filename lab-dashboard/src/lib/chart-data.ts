import type { TargetId, TargetResult } from '../../shared/types';

/**
 * Shapes run results into the rows recharts draws. Pure functions, so the charts' logic is tested without a browser.
 */

/** One bucket: its range, and how many values of each target counted fell in it (a key per target). */
export type HistogramRow<T extends TargetId = TargetId> = { label: string; from: number; to: number } & Record<
  T,
  number
>;

/** A "nice" bucket width (1, 2 or 5 times a power of ten) that cuts max into about `target` buckets. */
export function niceBucketWidth(max: number, target = 12): number {
  if (!(max > 0)) return 1;
  const raw = max / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (step * power >= raw) return step * power;
  return 10 * power;
}

/** Every target's values counted in the same buckets, so the distributions share one axis. */
export function histogram<T extends TargetId>(values: Partial<Record<T, number[]>>, target = 12): HistogramRow<T>[] {
  const series = Object.entries(values) as [T, number[] | undefined][];
  const all = series.flatMap(([, v]) => v ?? []);
  if (!all.length) return [];
  const max = Math.max(...all);
  const width = niceBucketWidth(max, target);
  const count = Math.floor(max / width) + 1;
  const rows = Array.from({ length: count }, (_, i) => ({
    label: bucketLabel(i * width, (i + 1) * width),
    from: i * width,
    to: (i + 1) * width,
    ...(Object.fromEntries(series.map(([t]) => [t, 0])) as Record<T, number>),
  })) as HistogramRow<T>[];
  for (const [t, vs] of series) {
    for (const v of vs ?? []) (rows[Math.min(count - 1, Math.floor(v / width))] as Record<T, number>)[t] += 1;
  }
  return rows;
}

function bucketLabel(from: number, to: number): string {
  const unit = to >= 10_000 ? 's' : 'ms';
  const f = (n: number) => (unit === 's' ? `${n / 1000}` : `${n}`);
  return `${f(from)}–${f(to)} ${unit}`;
}

export interface DurationPoint {
  /** When the checkout started, in ms after the first checkout of the stack's run. */
  start_ms: number;
  /** Place in the queue: 1 for the first buyer served (answered first), 2 for the next... */
  rank: number;
  duration_ms: number;
  order_id: number | null;
  /** What the chart plots across: start_ms or rank, as durationChart chose for every target. */
  x: number;
}

/**
 * Each order's duration and start, numbered by when it was served (start + duration): the buyers' own clock when
 * the engine recorded each checkout, else the server's order times.
 */
export function durationPoints(
  result: TargetResult,
  field: 'processing' | 'completion' = 'processing',
): DurationPoint[] {
  const key = field === 'processing' ? 'processing_duration_ms' : 'completion_duration_ms';
  const fromSamples = (result.samples ?? [])
    .filter((s) => s.order_id !== null && s[key] !== null)
    .map((s) => ({ start_ms: s.started_at_ms, duration_ms: s[key] as number, order_id: s.order_id }));
  if (fromSamples.length) return rankedByService(fromSamples);
  const orders = result.orders.filter((o) => o[key] !== null);
  if (!orders.length) return [];
  const t0 = Math.min(...orders.map((o) => Date.parse(o.created_at)));
  return rankedByService(
    orders.map((o) => ({ start_ms: Date.parse(o.created_at) - t0, duration_ms: o[key] as number, order_id: o.id })),
  );
}

/** First served = 1; the start times count from the stack's first checkout. Sorted by start. */
function rankedByService(points: Omit<DurationPoint, 'rank' | 'x'>[]): DurationPoint[] {
  const t0 = Math.min(...points.map((p) => p.start_ms));
  const served = [...points].sort(
    (a, b) => a.start_ms + a.duration_ms - (b.start_ms + b.duration_ms) || a.start_ms - b.start_ms,
  );
  return served
    .map((p, index) => ({ ...p, start_ms: p.start_ms - t0, rank: index + 1, x: p.start_ms - t0 }))
    .sort((a, b) => a.start_ms - b.start_ms || a.rank - b.rank);
}

/** Below this spread of the start times, the buyers count as arriving together ("a few ms"). */
export const RUSH_SPREAD_MS = 5;

export interface DurationChart {
  /** `start`: x is the start time in ms after the run began; `queue`: x is the place in the queue. */
  axis: 'start' | 'queue';
  /** The x axis label, saying which of the two it is. */
  label: string;
  /** One series per result, in the results' order. */
  series: { target: TargetId; points: DurationPoint[] }[];
}

/**
 * Each order's duration against its start time, for every target of the run on one x axis. In a rush every buyer starts within a
 * few ms, and the order of starting is not the order of service (the lock picks), so the start time would pile the
 * dots on one vertical line: then x is the place in the queue, first served = 1, and the monolith draws a rising
 * staircase beside the microservices' flat line. The starts count as a rush when they spread over less than a few ms
 * or less than a tenth of the longest duration (20 buyers connecting take longer than a few ms, and a 30 ms spread
 * against 6 s waits is still "all at once").
 */
export function durationChart(
  results: TargetResult[],
  field: 'processing' | 'completion' = 'processing',
): DurationChart {
  const series = results.map((r) => ({ target: r.target, points: durationPoints(r, field) }));
  const all = series.flatMap((s) => s.points);
  const spread = Math.max(0, ...all.map((p) => p.start_ms));
  const longest = Math.max(0, ...all.map((p) => p.duration_ms));
  const axis = spread > Math.max(RUSH_SPREAD_MS, longest / 10) ? 'start' : 'queue';
  const place = (points: DurationPoint[]) => points.map((p) => ({ ...p, x: axis === 'start' ? p.start_ms : p.rank }));
  return {
    axis,
    label:
      axis === 'start'
        ? 'checkout start, ms after the run began'
        : `place in the queue, 1 = served first (every buyer started within ${Math.round(spread)} ms)`,
    series: series.map((s) => ({ target: s.target, points: place(s.points) })),
  };
}

/** The server-side durations of every order of one result. */
export function serverDurations(result: TargetResult | undefined, field: 'processing' | 'completion'): number[] {
  if (!result) return [];
  const key = field === 'processing' ? 'processing_duration_ms' : 'completion_duration_ms';
  return result.orders.map((o) => o[key]).filter((v): v is number => typeof v === 'number');
}

/** One second of the runs: the requests each target completed in it (null once its run had ended). */
export type ThroughputRow = { second: number } & Partial<Record<TargetId, number | null>>;

/** Requests completed per second, every target on one time axis (seconds since each run began). */
export function throughputRows(results: TargetResult[]): ThroughputRow[] {
  const length = Math.max(0, ...results.map((r) => (r.throughput ?? []).length));
  return Array.from({ length }, (_, second) => ({
    second,
    ...Object.fromEntries(results.map((r) => [r.target, r.throughput?.[second]?.requests ?? null])),
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
