import { describe, expect, it } from 'vitest';
import {
  durationChart,
  durationPoints,
  histogram,
  niceBucketWidth,
  serverDurations,
  statusCounts,
  stepSegments,
  throughputRows,
} from '../src/lib/chart-data';
import type { LabOrder, TargetId, TargetResult } from '../shared/types';

function order(
  id: number,
  createdAtMs: number,
  processing: number | null,
  completion: number | null,
  status = 'confirmed',
): LabOrder {
  return {
    id,
    status,
    created_at: new Date(Date.UTC(2025, 10, 28, 12, 0, 0) + createdAtMs).toISOString(),
    processing_duration_ms: processing,
    completion_duration_ms: completion,
    failure_reason: null,
  };
}

function result(target: TargetId, orders: LabOrder[], extra: Partial<TargetResult> = {}): TargetResult {
  return {
    target,
    started_at: '',
    finished_at: '',
    requests: 0,
    requests_per_sec: 0,
    errors: 0,
    non_2xx: 0,
    latency_ms: { p50: 0, p90: 0, p99: 0, max: 0 },
    throughput: [],
    orders,
    samples: [],
    invariants: [],
    ...extra,
  };
}

describe('shaping chart data', () => {
  it('when the largest value is 5,800 ms, then buckets are a nice width such as 500 ms', () => {
    expect(niceBucketWidth(5800, 12)).toBe(500);
    expect(niceBucketWidth(9, 12)).toBe(1);
    expect(niceBucketWidth(0)).toBe(1);
  });

  it('when both stacks have durations, then they are counted in the same buckets and no order is lost', () => {
    const monolith = [600, 1200, 1800, 2400, 3000, 3600];
    const micro = [3, 4, 5, 6, 9, 12];
    const rows = histogram({ monolith, micro });
    expect(rows.reduce((n, r) => n + r.monolith, 0)).toBe(monolith.length);
    expect(rows.reduce((n, r) => n + r.micro, 0)).toBe(micro.length);
    // The fast stack lands in the first bucket, the blocking one spreads out: the lesson of the chart.
    expect(rows[0].micro).toBe(micro.length);
    expect(rows.at(-1)?.monolith).toBeGreaterThan(0);
    for (const row of rows) expect(row.to).toBeGreaterThan(row.from);
  });

  it('when there is no data, then there are no bars', () => {
    expect(histogram({ monolith: [], micro: [] })).toEqual([]);
  });

  it('when all three targets have durations, then each has its own count in the same buckets and no order is lost', () => {
    const values = { monolith: [600, 1200, 1800, 2400], 'monolith-fixed': [300, 310, 320], micro: [3, 4, 5] };
    const rows = histogram(values);
    for (const target of ['monolith', 'monolith-fixed', 'micro'] as const)
      expect(rows.reduce((n, r) => n + r[target], 0)).toBe(values[target].length);
    // The fixed monolith queues no longer: its buyers wait about one payment, in the first buckets.
    expect(rows.find((r) => r.from <= 300 && 320 < r.to)?.['monolith-fixed']).toBe(3);
    expect(rows.at(-1)?.monolith).toBeGreaterThan(0);
  });

  it('when only the fixed monolith ran, then the buckets carry its count and no other target', () => {
    const rows = histogram({ 'monolith-fixed': [300, 320] });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(Object.keys(row).sort()).toEqual(['from', 'label', 'monolith-fixed', 'to']);
  });

  function sample(order_id: number | null, started_at_ms: number, waited: number | null, http_status = 201) {
    return {
      order_id,
      started_at_ms,
      client_latency_ms: (waited ?? 5) + 5,
      http_status,
      final_status: order_id === null ? null : 'confirmed',
      processing_duration_ms: waited,
      completion_duration_ms: waited,
    };
  }

  it('when the engine recorded each checkout, then the points use the buyers clock and rank by who was served first', () => {
    const r = result('monolith', [], {
      samples: [sample(2, 120, 1290), sample(1, 110, 650), sample(null, 130, null, 409)],
    });
    expect(durationPoints(r)).toEqual([
      { start_ms: 0, rank: 1, duration_ms: 650, order_id: 1, x: 0 },
      { start_ms: 10, rank: 2, duration_ms: 1290, order_id: 2, x: 10 },
    ]);
  });

  it('when every buyer of a rush starts within a millisecond, then x is the place in the queue and the monolith climbs a staircase', () => {
    // Started in the order 3, 1, 2 within a millisecond; the lock served them 1, 2, 3: the start order is not the queue.
    const monolith = result('monolith', [], {
      samples: [sample(3, 0.2, 1800), sample(1, 0.5, 600), sample(2, 0.9, 1200)],
    });
    const micro = result('micro', [], { samples: [sample(5, 0.1, 6), sample(4, 0.4, 4), sample(6, 0.8, 5)] });
    const chart = durationChart([monolith, micro]);
    expect(chart.axis).toBe('queue');
    expect(chart.label).toContain('place in the queue');
    const [monolithPoints, microPoints] = chart.series.map((s) => s.points);
    expect(chart.series.map((s) => s.target)).toEqual(['monolith', 'micro']);
    const staircase = [...monolithPoints].sort((a, b) => a.x - b.x);
    expect(staircase.map((p) => p.x)).toEqual([1, 2, 3]);
    expect(staircase.map((p) => p.order_id)).toEqual([1, 2, 3]);
    for (let i = 1; i < staircase.length; i++)
      expect(staircase[i].duration_ms).toBeGreaterThan(staircase[i - 1].duration_ms);
    // The microservices answer everyone at once: the same places, a flat line.
    expect([...microPoints].map((p) => p.x).sort()).toEqual([1, 2, 3]);
    expect(Math.max(...microPoints.map((p) => p.duration_ms))).toBeLessThan(10);
  });

  it('when all three targets ran a rush, then each is a series of its own on the one queue axis, in the run order', () => {
    const monolith = result('monolith', [], { samples: [sample(1, 0.5, 600), sample(2, 0.9, 1200)] });
    const fixed = result('monolith-fixed', [], { samples: [sample(3, 0.1, 310), sample(4, 0.6, 305)] });
    const micro = result('micro', [], { samples: [sample(5, 0.1, 6), sample(6, 0.4, 4)] });
    const chart = durationChart([monolith, fixed, micro]);
    expect(chart.axis).toBe('queue');
    expect(chart.series.map((s) => s.target)).toEqual(['monolith', 'monolith-fixed', 'micro']);
    const fixedPoints = chart.series[1].points;
    expect(fixedPoints.map((p) => p.order_id).sort()).toEqual([3, 4]);
    // Order 4 finished first (0.6 + 305 < 0.1 + 310): first place in the fixed monolith's own queue.
    expect(fixedPoints.find((p) => p.order_id === 4)?.x).toBe(1);
  });

  it('when the buyers start spread over the run, then x is the start time in ms after the run began', () => {
    const monolith = result('monolith', [], {
      samples: [sample(1, 1000, 700), sample(2, 2000, 650), sample(3, 3500, 720)],
    });
    const chart = durationChart([monolith]);
    expect(chart.axis).toBe('start');
    expect(chart.label).toContain('ms after the run began');
    expect(chart.series).toHaveLength(1);
    expect(chart.series[0].points.map((p) => p.x)).toEqual([0, 1000, 2500]);
  });

  it('when starts spread a few tens of ms against waits of seconds, then it is still a rush', () => {
    const monolith = result('monolith', [], {
      samples: [sample(1, 0, 3000), sample(2, 30, 600), sample(3, 15, 1800)],
    });
    const chart = durationChart([monolith]);
    expect(chart.axis).toBe('queue');
    const points = chart.series[0].points;
    expect(points.find((p) => p.order_id === 2)?.x).toBe(1);
    expect(points.find((p) => p.order_id === 1)?.x).toBe(3);
  });

  it('when only the server orders are known, then start times count from the first order', () => {
    const r = result('micro', [order(7, 2000, 4, 700), order(6, 0, 3, 650), order(8, 2500, null, null, 'pending')]);
    expect(durationPoints(r)).toEqual([
      { start_ms: 0, rank: 1, duration_ms: 3, order_id: 6, x: 0 },
      { start_ms: 2000, rank: 2, duration_ms: 4, order_id: 7, x: 2000 },
    ]);
    expect(durationPoints(r, 'completion').map((p) => p.duration_ms)).toEqual([650, 700]);
    expect(durationChart([r]).axis).toBe('start');
    expect(serverDurations(r, 'completion')).toEqual([700, 650]);
    expect(statusCounts(r)).toEqual({ confirmed: 2, pending: 1 });
  });

  it('when the two stacks ran for different lengths, then throughput rows cover the longer one', () => {
    const rows = throughputRows([
      result('monolith', [], {
        throughput: [
          { second: 0, requests: 1 },
          { second: 1, requests: 2 },
          { second: 2, requests: 1 },
        ],
      }),
      result('micro', [], { throughput: [{ second: 0, requests: 20 }] }),
    ]);
    expect(rows).toEqual([
      { second: 0, monolith: 1, micro: 20 },
      { second: 1, monolith: 2, micro: null },
      { second: 2, monolith: 1, micro: null },
    ]);
  });

  it('when all three targets ran, then each second has a value per target, the fixed monolith under its own key', () => {
    const perSecond = (...counts: number[]) => counts.map((requests, second) => ({ second, requests }));
    const rows = throughputRows([
      result('monolith', [], { throughput: perSecond(1, 2) }),
      result('monolith-fixed', [], { throughput: perSecond(8, 9, 7) }),
      result('micro', [], { throughput: perSecond(20) }),
    ]);
    expect(rows).toEqual([
      { second: 0, monolith: 1, 'monolith-fixed': 8, micro: 20 },
      { second: 1, monolith: 2, 'monolith-fixed': 9, micro: null },
      { second: 2, monolith: null, 'monolith-fixed': 7, micro: null },
    ]);
  });

  it('when steps have durations, then each segment is its share of the whole', () => {
    const segments = stepSegments([
      { name: '6_process_payment', duration_ms: 300 },
      { name: '9_send_email', duration_ms: 300 },
      { name: '1_get_cart', duration_ms: 0 },
    ]);
    expect(segments.map((s) => s.share)).toEqual([0.5, 0.5, 0]);
    expect(stepSegments([{ name: 'x', duration_ms: 0 }])[0].share).toBe(0);
  });
});
