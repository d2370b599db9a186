import { VERDICT_COUNTS, type Verdict } from '@checkout-lab/stacks/verdict';
import { describe, expect, it } from 'vitest';
import {
  arrivalTimesMs,
  type JudgedTarget,
  PlanError,
  parseFault,
  parseKill,
  parsePattern,
  parsePlan,
  verdictProblems,
} from '../src/chaos-plan';

describe('the chaos schedule from the command line', () => {
  it('when a fault has a window, then it is on from FROM to TO; without one, for the whole rush', () => {
    expect(parseFault('smtp_down=true@1-4')).toEqual({ name: 'smtp_down', value: true, fromS: 1, toS: 4 });
    expect(parseFault('email_failure_rate=0.5@0.5-2.25')).toEqual({
      name: 'email_failure_rate',
      value: 0.5,
      fromS: 0.5,
      toS: 2.25,
    });
    expect(parseFault('payment_hang=true')).toEqual({ name: 'payment_hang', value: true, fromS: 0, toS: null });
    expect(parseFault('crash=after_commit_before_publish@2-3')).toMatchObject({ value: 'after_commit_before_publish' });
  });

  it.each([
    ['smtp_down', /expected NAME=VALUE/],
    ['smtp_gone=true', /unknown fault "smtp_gone"/],
    ['smtp_down=yes', /--fault smtp_down=yes: /],
    ['email_failure_rate=2', /--fault email_failure_rate=2: /],
    ['crash=sometime', /--fault crash=sometime: /],
    ['smtp_down=false', /the fault's default \(off\)/],
    ['smtp_down=true@4-1', /must end after it begins/],
    ['smtp_down=true@1', /FROM-TO in seconds/],
    ['smtp_down=true@-1-4', /FROM-TO in seconds/],
    ['smtp_down=true@a-b', /FROM-TO in seconds/],
  ])('when --fault %s, then a one-line error names what is wrong', (arg, message) => {
    expect(() => parseFault(arg)).toThrow(PlanError);
    expect(() => parseFault(arg)).toThrow(message);
    try {
      parseFault(arg);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('when a kill names a process and a second, then it is planned; anything else is a one-line error', () => {
    expect(parseKill('payment-service@2')).toEqual({ process: 'payment-service', atS: 2 });
    expect(parseKill('monolith@0.5')).toEqual({ process: 'monolith', atS: 0.5 });
    expect(() => parseKill('payment-service')).toThrow(/PROCESS@SECONDS/);
    expect(() => parseKill('payment-service@soon')).toThrow(/PROCESS@SECONDS/);
    expect(() => parseKill('@2')).toThrow(/PROCESS@SECONDS/);
  });

  it('when a pattern is switched, then only off of the four patterns is taken', () => {
    expect(parsePattern('idempotent_consumers=off')).toBe('idempotent_consumers');
    expect(() => parsePattern('idempotent_consumers=on')).toThrow(/the only value is off/);
    expect(() => parsePattern('retries=off')).toThrow(/unknown pattern "retries"/);
    expect(() => parsePattern('outbox')).toThrow(/expected NAME=off/);
  });

  it('when the same fault has two windows, then they may follow each other but not overlap', () => {
    const plan = parsePlan({ faults: ['smtp_down=true@1-2', 'smtp_down=true@2-3'], seed: '7' });
    expect(plan.faults.map((f) => [f.fromS, f.toS])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    expect(() => parsePlan({ faults: ['smtp_down=true@1-3', 'smtp_down=true@2-4'] })).toThrow(/overlap/);
    expect(() => parsePlan({ faults: ['smtp_down=true', 'smtp_down=true@2-4'] })).toThrow(/overlap/);
    expect(parsePlan({ faults: ['smtp_down=true@1-3', 'payment_hang=true@2-4'] }).faults).toHaveLength(2);
  });

  it('when a plan is parsed, then patterns are listed once, the seed is kept, and a bad seed is refused', () => {
    const plan = parsePlan({
      kills: ['payment-service@2', 'order-service@3'],
      patterns: ['outbox=off', 'outbox=off'],
      seed: '42',
      expectViolations: true,
    });
    expect(plan).toEqual({
      faults: [],
      kills: [
        { process: 'payment-service', atS: 2 },
        { process: 'order-service', atS: 3 },
      ],
      patternsOff: ['outbox'],
      seed: 42,
      expectViolations: true,
    });
    expect(() => parsePlan({ seed: '-3' })).toThrow(/--seed must be a whole number/);
    expect(() => parsePlan({ seed: '1.5' })).toThrow(/--seed must be a whole number/);
    expect(Number.isInteger(parsePlan({}).seed)).toBe(true);
  });

  it('when the same seed is given twice, then the buyers arrive at the same times, within the window', () => {
    const a = arrivalTimesMs(50, 10_000, 42);
    expect(arrivalTimesMs(50, 10_000, 42)).toEqual(a);
    expect(arrivalTimesMs(50, 10_000, 43)).not.toEqual(a);
    expect(a.every((t) => Number.isInteger(t) && t >= 0 && t < 10_000)).toBe(true);
    // Spread over the window, not bunched at one end.
    expect(a.some((t) => t < 3000)).toBe(true);
    expect(a.some((t) => t > 7000)).toBe(true);
  });
});

function verdict(counts: Partial<Verdict> = {}): Verdict {
  const zero = Object.fromEntries(VERDICT_COUNTS.map((c) => [c, 0])) as Verdict;
  return { ...zero, accepted: 10, final: 10, ...counts };
}

const target = (stack: string, counts: Partial<Verdict> = {}, patternsOff: string[] = []): JudgedTarget => ({
  stack,
  verdict: verdict(counts),
  patternsOff,
});

describe('the exit status of a chaos run', () => {
  it('when every pattern is on and the verdicts are clean, then nothing fails the run', () => {
    expect(verdictProblems([target('monolith'), target('micro')], false)).toEqual([]);
  });

  it('when orphan charges or recovered orders are counted, then they are reported, never failing', () => {
    expect(verdictProblems([target('monolith', { orphan_charges: 3, recovered: 2 })], false)).toEqual([]);
  });

  it.each(['lost', 'stuck', 'duplicated_charges', 'duplicated_emails', 'unexpected', 'stock_drift'] as const)(
    'when every pattern is on and %s is not zero, then the run fails, naming the stack and the count',
    (count) => {
      expect(verdictProblems([target('monolith'), target('micro', { [count]: 2 })], false)).toEqual([
        `micro: verdict ${count} = 2 with every reliability pattern on`,
      ]);
    },
  );

  it('when a pattern was off and violations are not expected, then that stack is reported, not judged', () => {
    expect(verdictProblems([target('micro', { duplicated_charges: 4 }, ['idempotent_consumers'])], false)).toEqual([]);
    // The other stack, with its patterns on, is still judged.
    expect(verdictProblems([target('monolith', { lost: 1 }), target('micro', { lost: 1 }, ['outbox'])], false)).toEqual(
      ['monolith: verdict lost = 1 with every reliability pattern on'],
    );
  });

  it('when violations are expected, then the run fails only when every verdict is clean', () => {
    expect(verdictProblems([target('monolith'), target('micro')], true)).toEqual([
      '--expect-violations: every verdict is clean (monolith, micro): the schedule broke nothing',
    ]);
    expect(verdictProblems([target('monolith'), target('micro', { duplicated_emails: 1 })], true)).toEqual([]);
    expect(verdictProblems([target('micro', { orphan_charges: 5 })], true)).toHaveLength(1);
  });
});
