import { describe, expect, it } from 'vitest';
import { toMarkdown } from '../src/markdown';
import type { LoadResult, Report, TargetResult } from '../src/report';
import { floorCpu } from '../src/scenarios/baseline';
import { loadGoals, MACHINE_CPU_PER_CHECKOUT_TO_FLOOR_LIMIT } from '../src/scenarios/load-goals';

const LOAD = { achieved_rate: 100 } as LoadResult;

describe("the throughput goal: the machine's CPU per accepted checkout / its CPU per floor POST", () => {
  it('when the microservices cost 39 floor POSTs a checkout, then the goal is met; at 90, missed', () => {
    const met = loadGoals('micro', { connections: 50 }, 39, LOAD);
    expect(met).toEqual([
      expect.objectContaining({
        name: 'micro_machine_cpu_per_checkout_to_floor',
        value: 39,
        comparator: '<=',
        limit: MACHINE_CPU_PER_CHECKOUT_TO_FLOOR_LIMIT,
        passed: true,
      }),
    ]);
    expect(MACHINE_CPU_PER_CHECKOUT_TO_FLOOR_LIMIT).toBe(40);
    expect(loadGoals('micro', { connections: 50 }, 90, LOAD)[0].passed).toBe(false);
    // Unknown CPU: reported, neither met nor missed.
    expect(loadGoals('micro', { connections: 50 }, null, LOAD)[0].passed).toBeNull();
  });

  it('when the accepted checkouts/s are measured, then they are no goal any more, and the monolith has none', () => {
    const names = loadGoals('micro', { connections: 50 }, 39, LOAD).map((g) => g.name);
    expect(names).not.toContain('micro_accepted_checkouts_ratio');
    expect(loadGoals('monolith', { connections: 50 }, 39, LOAD)).toEqual([]);
    // steady has no CPU goal (its checkouts share the machine with browsing).
    expect(loadGoals('micro', { connections: 50 }, undefined, LOAD)).toEqual([]);
  });

  it("when /proc/stat was read around the floor's POST load, then the CPU ms per POST; unreadable is unknown", () => {
    const start = { busy: 1000, total: 3000, cores: 2 };
    // 100 ticks busy of 200 (2 cores for one second at 100 ticks/s, half busy) for 5,000 POSTs.
    const end = { busy: 1100, total: 3200, cores: 2 };
    expect(floorCpu(start, end, 5000)).toEqual({
      busy_cpu_s: 1,
      busy_share: 0.5,
      requests: 5000,
      ms_per_request: 0.2,
    });
    expect(floorCpu(null, end, 5000)).toEqual({
      busy_cpu_s: null,
      busy_share: null,
      requests: 5000,
      ms_per_request: null,
    });
  });

  it('when report.md is written, then the ratio has its row and the floor says what a POST cost the machine', () => {
    const target = {
      stack: 'micro',
      metrics: {
        checkouts: 10,
        accepted: 10,
        confirmed: 10,
        cancelled: 0,
        refused: 0,
        not_final: 0,
        machine_cpu_per_checkout_to_floor: 88.6,
      },
      goals: loadGoals('micro', { connections: 50 }, 88.6, LOAD),
      invariants: [],
      http: { total: 0, by_status: {}, network_errors: 0, status_5xx: 0 },
      notes: [],
    } as unknown as TargetResult;
    const load = {
      label: 'floor POST',
      connections: 50,
      duration_sec: 5,
      achieved_rate: 10_000,
      non_2xx: 0,
      errors: 0,
      latency_ms: { p50: 4, p90: 5, p99: 8, max: 20, mean: 4 },
    } as LoadResult;
    const report = {
      scenario: 'throughput',
      passed: true,
      failures: [],
      started_at: '',
      duration_sec: 1,
      environment: { cpu_model: 'x', cores: 2, node: 'v20', postgres: 'unknown', rabbitmq: 'unknown', git_commit: 'x' },
      options: { target: 'micro' },
      baseline: {
        get: load,
        post: load,
        post_cpu: { busy_cpu_s: 10.2, busy_share: 0.51, requests: 50_000, ms_per_request: 0.204 },
      },
      targets: { micro: target },
    } as unknown as Report;
    const md = toMarkdown(report);
    expect(md).toContain("| machine's CPU per accepted checkout / per floor POST | 88.6 |");
    expect(md).toContain('0.204 CPU ms per POST');
    expect(md).toMatch(
      /\| microservices \| microservices: the machine's CPU per accepted checkout .*\| 88\.6 .*\| ≤ 40/,
    );
  });
});
