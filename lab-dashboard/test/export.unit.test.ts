import { describe, expect, it } from 'vitest';
import { readProgress, throughputFromSamples } from '../server/runs/benchmark-engine';
import { runsToCsv, runToCsv } from '../server/runs/export';
import { DEFAULT_RUN_SETTINGS, type RunRecord } from '../shared/types';

const run: RunRecord = {
  id: 3,
  created_at: '2025-11-28T12:00:00.000Z',
  settings: DEFAULT_RUN_SETTINGS,
  status: 'finished',
  error: null,
  cost: { cpu_user_ms: 100, cpu_system_ms: 20, wall_ms: 1000, cores_used: 0.12 },
  results: [
    {
      target: 'monolith',
      started_at: '',
      finished_at: '',
      requests: 2,
      requests_per_sec: 1.5,
      errors: 0,
      non_2xx: 1,
      latency_ms: { p50: 10, p90: 20, p99: 30, max: 40 },
      throughput: [],
      samples: [],
      invariants: [],
      orders: [
        {
          id: 1,
          status: 'confirmed',
          created_at: 'T1',
          processing_duration_ms: 650,
          completion_duration_ms: 650,
          failure_reason: null,
        },
        {
          id: 2,
          status: 'cancelled',
          created_at: 'T2',
          processing_duration_ms: 3,
          completion_duration_ms: null,
          failure_reason: 'out, "of" stock',
        },
      ],
    },
  ],
};

describe('exports and names', () => {
  it('when a run is exported as CSV, then there is one line per order and awkward text is quoted', () => {
    const lines = runToCsv(run).trim().split('\n');
    expect(lines[0]).toBe(
      'run_id,target,order_id,status,created_at,processing_duration_ms,completion_duration_ms,failure_reason',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe('3,monolith,1,confirmed,T1,650,650,');
    expect(lines[2]).toBe('3,monolith,2,cancelled,T2,3,,"out, ""of"" stock"');
  });

  it('when the history is exported, then each run and stack is a line with its figures and the lab cost', () => {
    const lines = runsToCsv([run]).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('3,2025-11-28T12:00:00.000Z,black-friday,monolith,finished');
    expect(lines[1].endsWith(',10,20,30,40,120')).toBe(true);
  });

  it('when a run compared all three targets, then the fixed monolith has lines of its own under its name', () => {
    const monolith = run.results[0];
    const three: RunRecord = {
      ...run,
      settings: { ...run.settings, target: 'all' },
      results: [monolith, { ...monolith, target: 'monolith-fixed', orders: [{ ...monolith.orders[0], id: 9 }] }],
    };
    expect(
      runToCsv(three)
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[1]),
    ).toEqual(['monolith', 'monolith', 'monolith-fixed']);
    const lines = runsToCsv([three]).trim().split('\n');
    expect(lines.slice(1).map((line) => line.split(',')[3])).toEqual(['monolith', 'monolith-fixed']);
    // A run that failed before any result keeps its choice in the target column.
    expect(
      runsToCsv([{ ...three, results: [] }])
        .trim()
        .split('\n')[1]
        .split(',')[3],
    ).toBe('all');
  });

  it('when the engine reports progress as done/total or as a fraction, then both read as a fraction', () => {
    expect(readProgress({ done: 5, total: 20, phase: 'rush' })).toEqual({ fraction: 0.25, phase: 'rush' });
    expect(readProgress({ fraction: 0.5 })).toEqual({ fraction: 0.5, phase: 'running' });
    expect(readProgress('nonsense')).toBeNull();
  });

  it('when checkouts complete over time, then throughput counts completions per second with empty seconds as 0', () => {
    const sample = (start: number, wait: number) => ({
      order_id: 1,
      started_at_ms: start,
      client_latency_ms: wait,
      http_status: 201,
      final_status: 'confirmed',
      processing_duration_ms: wait,
      completion_duration_ms: wait,
    });
    expect(throughputFromSamples([sample(0, 100), sample(0, 900), sample(0, 2500)])).toEqual([
      { second: 0, requests: 2 },
      { second: 1, requests: 0 },
      { second: 2, requests: 1 },
    ]);
    expect(throughputFromSamples([])).toEqual([]);
  });
});
