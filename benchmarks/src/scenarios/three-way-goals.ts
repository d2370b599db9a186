import { FAILING_COUNTS } from '@checkout-lab/stacks/verdict';
import type { Scenario, TargetName } from '../options';
import type { CpuResult, GoalResult, TargetResult } from '../report';
import { ratio } from '../stats';
import { goal } from './single';

/** The fair fight's lock goal: with short_lock the hot product's lock lasts one statement. */
export const FIXED_LOCK_WAIT_LIMIT_MS = 50;
/** Without it, the buyers queue on the row for seconds. */
export const BLOCKING_LOCK_WAIT_MIN_MS = 1000;
/** The fixed monolith's CPU per accepted checkout at most this share of the microservices'. */
export const FIXED_CPU_SHARE_OF_MICRO_LIMIT = 1 / 3;

/**
 * CPU ms per accepted checkout of every process listed (the stack's, PostgreSQL, RabbitMQ, the load generator), not
 * the whole machine's (on a shared machine other processes weigh in that): through settling when measured (the work
 * a checkout leaves behind, payment and email, runs after its answer on both the microservices and the fixed
 * monolith), else the load window. Null when a process of it could not be read.
 */
export function listedMsPerCheckout(cpu: CpuResult | undefined): number | null {
  return (
    cpu?.with_settle?.all_listed.ms_per_accepted_checkout ?? cpu?.window?.all_listed.ms_per_accepted_checkout ?? null
  );
}

/**
 * The goals of the three-way comparison ("The fair fight"), reported beside the scenario's own and never failing the
 * run. They need the targets of one run side by side, so the engine adds them once every target has run:
 * black-friday: the fixed monolith's last answer no later than the microservices' last answer, its every order final
 * within 3 s, its verdict clean, its longest lock wait on the hot product under 50 ms (and the blocking monolith's
 * at least a second); throughput: the fixed monolith's CPU per accepted checkout at most a third of the
 * microservices'.
 */
export function threeWayGoals(
  scenario: Scenario,
  targets: Partial<Record<TargetName, TargetResult>>,
): Partial<Record<TargetName, GoalResult[]>> {
  const fixed = targets['monolith-fixed'];
  const micro = targets.micro;
  const blocking = targets.monolith;
  const out: Partial<Record<TargetName, GoalResult[]>> = {};
  if (scenario === 'black-friday') {
    if (fixed) {
      const failing = FAILING_COUNTS.reduce((sum, count) => sum + (fixed.verdict?.[count] ?? 0), 0);
      out['monolith-fixed'] = [
        goal(
          'fixed_last_answer_within_micro',
          `monolith, every fix on: the last checkout answered, ms after the rush began (at most the microservices' last answer in this run${micro ? `, ${typeof micro.metrics.last_accept_ms === 'number' ? Math.round(micro.metrics.last_accept_ms) : '–'} ms` : ': not run'})`,
          typeof micro?.metrics.last_accept_ms === 'number' ? (fixed.metrics.last_accept_ms ?? null) : null,
          'ms',
          '<=',
          micro?.metrics.last_accept_ms ?? 0,
        ),
        goal(
          'fixed_all_final_within_3s',
          'monolith, every fix on: the last order final (client start + server completion), ms after the rush began (within 3 s)',
          fixed.metrics.last_final_ms ?? null,
          'ms',
          '<=',
          3000,
        ),
        goal(
          'fixed_verdict_clean',
          `monolith, every fix on: the verdict's failing counts together (${FAILING_COUNTS.join(', ')}; none)`,
          fixed.verdict ? failing : null,
          'orders',
          '<=',
          0,
        ),
        goal(
          'fixed_lock_wait_under_50ms',
          `monolith, every fix on (short_lock): the longest lock wait on the hot product during the rush (under ${FIXED_LOCK_WAIT_LIMIT_MS} ms)`,
          fixed.lock_wait?.longest_ms ?? null,
          'ms',
          '<=',
          FIXED_LOCK_WAIT_LIMIT_MS,
        ),
      ];
    }
    // Against it, in the same run: the blocking monolith's wait without short_lock.
    if (fixed && blocking?.lock_wait && !blocking.fixes?.short_lock) {
      out.monolith = [
        goal(
          'blocking_lock_wait_seconds',
          `monolith, without short_lock: the longest lock wait on the hot product during the rush (seconds: at least ${BLOCKING_LOCK_WAIT_MIN_MS} ms)`,
          blocking.lock_wait.longest_ms,
          'ms',
          '>=',
          BLOCKING_LOCK_WAIT_MIN_MS,
        ),
      ];
    }
  }
  if (scenario === 'throughput' && fixed) {
    const fixedMs = listedMsPerCheckout(fixed.cpu);
    const microMs = listedMsPerCheckout(micro?.cpu);
    out['monolith-fixed'] = [
      goal(
        'fixed_cpu_per_checkout_third_of_micro',
        `monolith, every fix on: CPU ms per accepted checkout of every process listed (${fixedMs ?? '–'}) / the microservices' (${micro ? (microMs ?? '–') : 'not run'}), through settling (at most 1/3)`,
        ratio(fixedMs, microMs),
        'ratio',
        '<=',
        Math.round(FIXED_CPU_SHARE_OF_MICRO_LIMIT * 1000) / 1000,
      ),
    ];
  }
  return out;
}
