import type { ComparableMetric, Report } from './report';

export interface Regression {
  metric: string;
  baseline: number;
  current: number;
  /** Relative change in the bad direction: 0.3 = 30 % worse. */
  worse_by: number;
  threshold: number;
}

export interface Comparison {
  regressions: Regression[];
  /** Every metric present in both reports, with its relative change (positive = better). */
  compared: { metric: string; baseline: number; current: number; change: number }[];
  /** Metrics of the baseline report this run did not measure. */
  missing: string[];
}

/**
 * Compares the machine-independent figures (ratios to the floor of each run, or to the configured delays) of this
 * report with a stored one. A metric regresses when it is worse by more than its threshold.
 */
export function compareReports(current: Report, baseline: Report): Comparison {
  const regressions: Regression[] = [];
  const compared: Comparison['compared'] = [];
  const missing: string[] = [];
  for (const [metric, old] of Object.entries(baseline.comparable ?? {})) {
    const now: ComparableMetric | undefined = current.comparable[metric];
    if (old.value === null) continue;
    if (!now || now.value === null) {
      missing.push(metric);
      continue;
    }
    const better = now.better;
    const threshold = now.threshold;
    // Relative change, positive when better. A zero baseline only compares for "lower is better" metrics.
    const base = Math.abs(old.value) || 1e-9;
    const change = better === 'higher' ? (now.value - old.value) / base : (old.value - now.value) / base;
    compared.push({ metric, baseline: old.value, current: now.value, change: Math.round(change * 10000) / 10000 });
    if (-change > threshold) {
      regressions.push({
        metric,
        baseline: old.value,
        current: now.value,
        worse_by: Math.round(-change * 10000) / 10000,
        threshold,
      });
    }
  }
  return { regressions, compared, missing };
}
