import type { LoadResult } from '../report';
import type { GoalResult, HttpCounts } from '../report';
import { ratio } from '../stats';
import { goal } from './single';

/**
 * The goals both autocannon scenarios (steady, throughput) report: issue 3's accepted-checkouts ratio on the
 * microservices and, when a rate was asked for, the achieved share of it.
 */
export function loadGoals(
  stack: string,
  options: { connections: number; rate?: number },
  acceptedRatio: number | null,
  load: LoadResult,
): GoalResult[] {
  const goals: GoalResult[] = [];
  if (stack === 'micro') {
    goals.push(
      goal(
        'micro_accepted_checkouts_ratio',
        `microservices: accepted checkouts/s at ${options.connections} connections / bare Express POST req/s (issue 3: at least 0.10 at 50 connections)`,
        acceptedRatio,
        'ratio',
        '>=',
        0.1,
      ),
    );
  }
  if (options.rate !== undefined) {
    goals.push(
      goal(
        'achieved_rate',
        `achieved request rate / target rate of ${options.rate} req/s`,
        ratio(load.achieved_rate, options.rate),
        'ratio',
        '>=',
        0.9,
      ),
    );
  }
  return goals;
}

/** autocannon's answers plus those of the run's own client; the 5xx among them break the no_5xx invariant. */
export function loadCounts(load: LoadResult, clientCounts: { status_5xx: number }): HttpCounts {
  const fromLoad = Object.entries(load.by_status)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    total: load.total_requests,
    by_status: load.by_status,
    network_errors: load.errors,
    status_5xx: fromLoad + clientCounts.status_5xx,
  };
}
