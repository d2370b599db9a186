// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TargetResult } from '../shared/types';
import { RunCharts } from '../src/components/RunCharts';

// jsdom lays nothing out: every box is 600 × 230, so recharts draws its charts (and their legends) at all.
beforeAll(() => {
  HTMLElement.prototype.getBoundingClientRect = () => ({ width: 600, height: 230 }) as DOMRect;
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
});

const result = (target: TargetResult['target'], waited: number): TargetResult => ({
  target,
  started_at: '2026-12-01T10:00:00.000Z',
  finished_at: '2026-12-01T10:00:10.000Z',
  requests: 1,
  requests_per_sec: 1,
  errors: 0,
  non_2xx: 0,
  latency_ms: { p50: waited, p90: waited, p99: waited, max: waited },
  throughput: [{ second: 0, requests: 1 }],
  orders: [
    {
      id: 1,
      status: 'confirmed',
      created_at: '2026-12-01T10:00:00.000Z',
      processing_duration_ms: waited,
      completion_duration_ms: waited,
      failure_reason: null,
    },
  ],
  samples: [],
  invariants: [],
});

/** Each chart's legend: the series' names and their colours, as the page shows them. */
function legends(container: HTMLElement): { name: string; color: string }[][] {
  return [...container.querySelectorAll('figure')].map((figure) =>
    [...figure.querySelectorAll<HTMLElement>('.recharts-legend-item-text')].map((item) => ({
      name: item.textContent ?? '',
      color: item.style.color,
    })),
  );
}

const RED = 'rgb(220, 38, 38)';
const BLUE = 'rgb(37, 99, 235)';
const REDDISH_PURPLE = 'rgb(204, 121, 167)';

describe('the charts of a run', () => {
  afterEach(cleanup);

  it('when all three targets ran, then every chart has three series, the fixed monolith in reddish purple', () => {
    const { container } = render(
      <RunCharts results={[result('monolith', 1200), result('monolith-fixed', 310), result('micro', 5)]} />,
    );
    const all = legends(container);
    expect(all).toHaveLength(4);
    for (const legend of all)
      expect(legend).toEqual([
        { name: 'Monolith', color: RED },
        { name: 'Monolith, fixed', color: REDDISH_PURPLE },
        { name: 'Microservices', color: BLUE },
      ]);
  });

  it('when the two stacks ran, then every chart has their two series, red and blue, and no fixed monolith', () => {
    const { container } = render(<RunCharts results={[result('monolith', 1200), result('micro', 5)]} />);
    for (const legend of legends(container))
      expect(legend).toEqual([
        { name: 'Monolith', color: RED },
        { name: 'Microservices', color: BLUE },
      ]);
  });

  it('when only the fixed monolith ran, then its one series is drawn in every chart', () => {
    const { container } = render(<RunCharts results={[result('monolith-fixed', 310)]} />);
    for (const legend of legends(container))
      expect(legend).toEqual([{ name: 'Monolith, fixed', color: REDDISH_PURPLE }]);
  });
});
