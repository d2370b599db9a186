// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RUN_SETTINGS, type RunRecord, type TargetResult } from '../shared/types';
import { RunSummary } from '../src/components/RunSummary';

const result = (target: TargetResult['target'], inForce: TargetResult['in_force']): TargetResult => ({
  target,
  started_at: '2026-12-01T10:00:00.000Z',
  finished_at: '2026-12-01T10:00:10.000Z',
  requests: 10,
  requests_per_sec: 1,
  errors: 0,
  non_2xx: 0,
  latency_ms: { p50: 1, p90: 2, p99: 3, max: 4 },
  throughput: [],
  orders: [],
  samples: [],
  invariants: [],
  in_force: inForce,
});

describe('the summary of a run', () => {
  afterEach(cleanup);

  it('when a fault was on or a pattern off as the run started, then the summary says which, per stack', () => {
    const run: RunRecord = {
      id: 7,
      created_at: '2026-12-01T10:00:00.000Z',
      settings: DEFAULT_RUN_SETTINGS,
      status: 'finished',
      error: null,
      results: [
        result('monolith', { faults: { smtp_down: true }, patterns_off: [] }),
        result('micro', { faults: {}, patterns_off: ['outbox'] }),
      ],
      cost: null,
    };
    render(<RunSummary run={run} />);
    const row = screen.getByText('faults on / patterns off at the start').closest('tr');
    expect(row?.textContent).toContain('smtp_down=true');
    expect(row?.textContent).toContain('patterns off: outbox');
  });

  it('when all three targets ran, then the summary names the choice and has a column per target, the fixed one its own', () => {
    const run: RunRecord = {
      id: 9,
      created_at: '2026-12-01T10:00:00.000Z',
      settings: { ...DEFAULT_RUN_SETTINGS, target: 'all' },
      status: 'finished',
      error: null,
      results: [
        result('monolith', { faults: {}, patterns_off: [] }),
        result('monolith-fixed', { faults: {}, patterns_off: [] }),
        result('micro', { faults: {}, patterns_off: [] }),
      ],
      cost: null,
    };
    render(<RunSummary run={run} />);
    expect(screen.getByText(/Run #9/).textContent).toContain('all three');
    const headers = [...(screen.getByRole('table').querySelectorAll('thead th') ?? [])].map((th) => th.textContent);
    expect(headers).toEqual(['', 'Monolith', 'Monolith, fixed', 'Microservices']);
    const p50 = screen.getByText('latency p50').closest('tr')?.querySelectorAll('td');
    expect(p50).toHaveLength(3);
  });

  it('when nothing was switched, then none; a run kept before this was recorded shows –', () => {
    const run: RunRecord = {
      id: 8,
      created_at: '2026-12-01T10:00:00.000Z',
      settings: DEFAULT_RUN_SETTINGS,
      status: 'finished',
      error: null,
      results: [result('monolith', { faults: {}, patterns_off: [] }), result('micro', undefined)],
      cost: null,
    };
    render(<RunSummary run={run} />);
    const cells = [
      ...(screen.getByText('faults on / patterns off at the start').closest('tr')?.querySelectorAll('td') ?? []),
    ];
    expect(cells.map((cell) => cell.textContent)).toEqual(['none', '–']);
  });
});
