import { describe, expect, it } from 'vitest';
import { compareReports } from '../src/compare';
import type { ComparableMetric, Report } from '../src/report';

function reportWith(comparable: Record<string, Partial<ComparableMetric> & { value: number | null }>): Report {
  const full: Record<string, ComparableMetric> = {};
  for (const [k, v] of Object.entries(comparable)) {
    full[k] = { better: 'higher', threshold: 0.25, description: k, ...v };
  }
  return { comparable: full } as unknown as Report;
}

describe('compareReports', () => {
  it('when a higher-is-better ratio falls by more than its threshold, then it is a regression', () => {
    const old = reportWith({ 'steady.micro.rps_to_floor': { value: 0.2 } });
    const now = reportWith({ 'steady.micro.rps_to_floor': { value: 0.1 } });
    const c = compareReports(now, old);
    expect(c.regressions).toEqual([
      { metric: 'steady.micro.rps_to_floor', baseline: 0.2, current: 0.1, worse_by: 0.5, threshold: 0.25 },
    ]);
  });

  it('when a lower-is-better ratio grows within its threshold, then nothing regresses', () => {
    const old = reportWith({ 'single.micro.latency_p50_to_floor': { value: 10, better: 'lower', threshold: 0.5 } });
    const now = reportWith({ 'single.micro.latency_p50_to_floor': { value: 14, better: 'lower', threshold: 0.5 } });
    const c = compareReports(now, old);
    expect(c.regressions).toEqual([]);
    expect(c.compared[0].change).toBeCloseTo(-0.4, 5);
  });

  it('when a lower-is-better ratio grows past its threshold, then it regresses', () => {
    const old = reportWith({ m: { value: 10, better: 'lower', threshold: 0.5 } });
    const now = reportWith({ m: { value: 16, better: 'lower', threshold: 0.5 } });
    expect(compareReports(now, old).regressions.map((r) => r.metric)).toEqual(['m']);
  });

  it('when a figure improved, then it is not a regression', () => {
    const old = reportWith({ m: { value: 0.1 } });
    const now = reportWith({ m: { value: 0.3 } });
    expect(compareReports(now, old).regressions).toEqual([]);
  });

  it('when this run did not measure a figure of the baseline, then it is listed as missing, not as a regression', () => {
    const old = reportWith({ m: { value: 0.1 }, gone: { value: 1 } });
    const now = reportWith({ m: { value: 0.1 } });
    const c = compareReports(now, old);
    expect(c.missing).toEqual(['gone']);
    expect(c.regressions).toEqual([]);
  });
});
