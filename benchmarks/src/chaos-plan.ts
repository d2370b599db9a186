import { FAULT_CATALOG, FAULT_NAMES, type FaultName, FaultsPatchSchema } from '@checkout-lab/contract';
import { seededRandom } from '@checkout-lab/kit';
import { FAILING_COUNTS, type Verdict } from '@checkout-lab/stacks/verdict';

/**
 * The chaos scenario's plan, from the command line (docs/api.md, "Benchmarks"): which faults are on when, which
 * processes are killed when, which reliability patterns are off, and the seed of every random choice. Pure: parsed
 * and judged here, applied by scenarios/chaos.ts.
 */

/** The gateway's reliability patterns (docs/api.md, "Reliability patterns as switches"). */
export const PATTERN_NAMES = ['outbox', 'idempotent_consumers', 'dead_letters', 'compensation'] as const;
export type PatternName = (typeof PATTERN_NAMES)[number];

export type FaultValue = boolean | number | string;

/** One fault of the schedule: on from fromS, back to its default at toS (null: until the rush is over). */
export interface PlannedFault {
  name: FaultName;
  value: FaultValue;
  fromS: number;
  toS: number | null;
}

/** One SIGKILL of a supervised process, atS seconds into the rush; the launcher restarts it. */
export interface PlannedKill {
  process: string;
  atS: number;
}

export interface ChaosPlan {
  faults: PlannedFault[];
  kills: PlannedKill[];
  /** The patterns switched off before the rush (the only value --pattern takes is off). */
  patternsOff: PatternName[];
  /** Seeds the buyers' arrival times: the same seed, the same run. */
  seed: number;
  /** The run fails when the verdict is clean instead of when it is not. */
  expectViolations: boolean;
}

export class PlanError extends Error {}

const SECONDS = /^\d+(\.\d+)?$/;

/** "true"/"false" are booleans, a number is a number, anything else a string (a crash point). */
function faultValue(raw: string): FaultValue {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw !== '' && Number.isFinite(Number(raw))) return Number(raw);
  return raw;
}

/** `--fault NAME=VALUE[@FROM-TO]`: seconds into the rush; without @, the whole rush. */
export function parseFault(arg: string): PlannedFault {
  const match = /^([a-z_]+)=([^@]+)(?:@(.*))?$/.exec(arg);
  if (!match) throw new PlanError(`--fault ${arg}: expected NAME=VALUE or NAME=VALUE@FROM-TO (seconds)`);
  const [, name, rawValue, window] = match;
  if (!(FAULT_NAMES as readonly string[]).includes(name)) {
    throw new PlanError(`--fault ${arg}: unknown fault "${name}" (one of ${FAULT_NAMES.join(', ')})`);
  }
  const value = faultValue(rawValue);
  const checked = FaultsPatchSchema.safeParse({ [name]: value });
  if (!checked.success) {
    throw new PlanError(`--fault ${arg}: ${checked.error.issues.map((i) => i.message).join('; ')}`);
  }
  const spec = FAULT_CATALOG.find((fault) => fault.name === name);
  if (spec && spec.default === value) {
    throw new PlanError(`--fault ${arg}: ${String(value)} is the fault's default (off): nothing to schedule`);
  }
  let fromS = 0;
  let toS: number | null = null;
  if (window !== undefined) {
    const [from, to, ...rest] = window.split('-');
    if (rest.length || !SECONDS.test(from ?? '') || !SECONDS.test(to ?? '')) {
      throw new PlanError(`--fault ${arg}: the window must be FROM-TO in seconds, e.g. @1-4`);
    }
    fromS = Number(from);
    toS = Number(to);
    if (toS <= fromS) throw new PlanError(`--fault ${arg}: the window must end after it begins`);
  }
  return { name: name as FaultName, value, fromS, toS };
}

/** `--kill PROCESS@SECONDS`: the name as the lab's process table has it (GET /api/lab/processes). */
export function parseKill(arg: string): PlannedKill {
  const match = /^([a-z][a-z0-9-]*)@(.+)$/.exec(arg);
  if (!match || !SECONDS.test(match[2])) {
    throw new PlanError(`--kill ${arg}: expected PROCESS@SECONDS, e.g. payment-service@2`);
  }
  return { process: match[1], atS: Number(match[2]) };
}

/** `--pattern NAME=off`. */
export function parsePattern(arg: string): PatternName {
  const match = /^([a-z_]+)=(.*)$/.exec(arg);
  if (!match) throw new PlanError(`--pattern ${arg}: expected NAME=off`);
  const [, name, value] = match;
  if (!(PATTERN_NAMES as readonly string[]).includes(name)) {
    throw new PlanError(`--pattern ${arg}: unknown pattern "${name}" (one of ${PATTERN_NAMES.join(', ')})`);
  }
  if (value !== 'off') throw new PlanError(`--pattern ${arg}: every pattern is on by default; the only value is off`);
  return name as PatternName;
}

/** Two windows of the same fault overlap when one starts before the other ends (a whole-rush one overlaps any). */
function overlaps(a: PlannedFault, b: PlannedFault): boolean {
  const end = (f: PlannedFault) => f.toS ?? Number.POSITIVE_INFINITY;
  return a.fromS < end(b) && b.fromS < end(a);
}

export function parsePlan(args: {
  faults?: string[];
  kills?: string[];
  patterns?: string[];
  seed?: string;
  expectViolations?: boolean;
}): ChaosPlan {
  const faults = (args.faults ?? []).map(parseFault);
  for (const [i, a] of faults.entries()) {
    const clash = faults.slice(i + 1).find((b) => b.name === a.name && overlaps(a, b));
    if (clash) throw new PlanError(`--fault ${a.name}: two windows of it overlap; give each its own FROM-TO`);
  }
  const kills = (args.kills ?? []).map(parseKill);
  const patternsOff = [...new Set((args.patterns ?? []).map(parsePattern))];
  let seed = Math.floor(Math.random() * 2 ** 31);
  if (args.seed !== undefined) {
    if (!/^\d+$/.test(args.seed)) throw new PlanError(`--seed must be a whole number >= 0, got "${args.seed}"`);
    seed = Number(args.seed);
  }
  return { faults, kills, patternsOff, seed, expectViolations: args.expectViolations ?? false };
}

/** When each of n buyers sends its checkout, ms after the rush begins: spread over windowMs by the seed. */
export function arrivalTimesMs(n: number, windowMs: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => Math.floor(random() * windowMs));
}

/** One stack's outcome as the exit status reads it. */
export interface JudgedTarget {
  stack: string;
  verdict: Verdict;
  /** The patterns that really were off for this stack's run (a pattern the stack has not is not off). */
  patternsOff: string[];
}

/**
 * The exit status of a chaos run (docs/api.md, "Benchmarks"), as the problems that fail it. With every pattern on, any
 * non-zero lost, stuck, duplicated_*, unexpected or stock_drift fails it. With expectViolations, it fails when every
 * stack's verdict is clean instead. A stack run with a pattern off and no expectViolations is reported, not judged:
 * the naive variant is there to break things. Problems of the run itself (a fault not built, a kill that never came
 * back) are the caller's, and fail it in any case.
 */
export function verdictProblems(targets: JudgedTarget[], expectViolations: boolean): string[] {
  const failing = (t: JudgedTarget) => FAILING_COUNTS.filter((count) => t.verdict[count] > 0);
  if (expectViolations) {
    if (targets.length > 0 && targets.every((t) => failing(t).length === 0)) {
      return [
        `--expect-violations: every verdict is clean (${targets.map((t) => t.stack).join(', ')}): the schedule broke nothing`,
      ];
    }
    return [];
  }
  return targets
    .filter((t) => t.patternsOff.length === 0)
    .flatMap((t) =>
      failing(t).map((count) => `${t.stack}: verdict ${count} = ${t.verdict[count]} with every reliability pattern on`),
    );
}
