import { describe, expect, it } from 'vitest';
import {
  durationPoints,
  histogram,
  niceBucketWidth,
  serverDurations,
  statusCounts,
  stepSegments,
  throughputRows,
} from '../src/lib/chart-data';
import type { LabOrder, TargetResult } from '../src/lib/types';

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

function result(target: 'monolith' | 'micro', orders: LabOrder[], extra: Partial<TargetResult> = {}): TargetResult {
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

  it('when the engine recorded each checkout, then the staircase uses the buyers clock, sorted by start', () => {
    const r = result('monolith', [], {
      samples: [
        {
          order_id: 2,
          started_at_ms: 20,
          client_latency_ms: 1300,
          http_status: 201,
          final_status: 'confirmed',
          processing_duration_ms: 1290,
          completion_duration_ms: 1290,
        },
        {
          order_id: 1,
          started_at_ms: 10,
          client_latency_ms: 700,
          http_status: 201,
          final_status: 'confirmed',
          processing_duration_ms: 650,
          completion_duration_ms: 650,
        },
        {
          order_id: null,
          started_at_ms: 30,
          client_latency_ms: 5,
          http_status: 409,
          final_status: null,
          processing_duration_ms: null,
          completion_duration_ms: null,
        },
      ],
    });
    expect(durationPoints(r)).toEqual([
      { buyer: 1, start_s: 0.01, duration_ms: 650, order_id: 1 },
      { buyer: 2, start_s: 0.02, duration_ms: 1290, order_id: 2 },
    ]);
  });

  it('when only the server orders are known, then start times count from the first order', () => {
    const r = result('micro', [order(7, 2000, 4, 700), order(6, 0, 3, 650), order(8, 2500, null, null, 'pending')]);
    expect(durationPoints(r)).toEqual([
      { buyer: 1, start_s: 0, duration_ms: 3, order_id: 6 },
      { buyer: 2, start_s: 2, duration_ms: 4, order_id: 7 },
    ]);
    expect(durationPoints(r, 'completion').map((p) => p.duration_ms)).toEqual([650, 700]);
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
