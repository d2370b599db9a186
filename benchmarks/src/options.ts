import { DEFAULT_ADMIN, DEFAULT_PORTS } from '@checkout-lab/kit';
import type { ChaosPlan } from './chaos-plan';

export type Scenario = 'single' | 'black-friday' | 'steady' | 'throughput' | 'baseline' | 'chaos';
export type TargetChoice = 'monolith' | 'monolith-fixed' | 'micro' | 'both' | 'all';
export type StackName = 'monolith' | 'micro';
/** What one run measures: a stack, or the monolith with every fix on (GET/PUT /api/lab/fixes, docs/api.md "Fixes"). */
export type TargetName = StackName | 'monolith-fixed';

export const TARGET_CHOICES: readonly TargetChoice[] = ['monolith', 'monolith-fixed', 'micro', 'both', 'all'];
/** The order the targets run in and the columns of a report: the blocking monolith, the fixed one, the microservices. */
export const TARGET_NAMES: readonly TargetName[] = ['monolith', 'monolith-fixed', 'micro'];

export const SCENARIOS: readonly Scenario[] = ['single', 'black-friday', 'steady', 'throughput', 'baseline', 'chaos'];

/** Everything a benchmark run needs to know. The CLI and the dashboard both fill this in. */
export interface BenchOptions {
  scenario: Scenario;
  target: TargetChoice;
  /** black-friday: buyers rushing the one product; single: sequential checkouts per stack. */
  buyers: number;
  /** black-friday and steady: stock of the Black Friday (hot) product at the start. */
  stock: number;
  /** steady, throughput and baseline: concurrent autocannon connections (throughput: one buyer each). */
  connections: number;
  /** steady and baseline: seconds of load per stack; chaos: the seconds over which the buyers arrive. */
  durationSec: number;
  paymentDelayMs: number;
  emailDelayMs: number;
  failureRate: number;
  /** How many times the measurement is repeated; every repetition is reported, the figures pool all of them. */
  repeat: number;
  /** steady and baseline: requests per second over all connections; unset means as fast as the stack answers. */
  rate?: number;
  monolithUrl: string;
  gatewayUrl: string;
  /** The mail catcher's web page: when given, confirmation emails are counted from the mail that really went out. */
  mailUiUrl?: string;
  /** The PostgreSQL server the lab runs on, read only for its version in the report (default: DATABASE_URL). */
  databaseUrl?: string;
  admin: { email: string; password: string };
  /** chaos: the fault schedule, the kills, the patterns off, the seed (chaos-plan.ts). */
  chaos?: ChaosPlan;
}

/** Defaults that finish in about a minute per scenario, with delays short enough to keep it so. */
export const DEFAULT_BENCH_OPTIONS: BenchOptions = {
  scenario: 'black-friday',
  target: 'both',
  buyers: 20,
  stock: 10,
  connections: 50,
  durationSec: 10,
  paymentDelayMs: 100,
  emailDelayMs: 200,
  failureRate: 0,
  repeat: 1,
  rate: undefined,
  monolithUrl: `http://127.0.0.1:${DEFAULT_PORTS.MONOLITH_PORT}`,
  gatewayUrl: `http://127.0.0.1:${DEFAULT_PORTS.GATEWAY_PORT}`,
  mailUiUrl: `http://127.0.0.1:${DEFAULT_PORTS.MAIL_UI_PORT}`,
  admin: { ...DEFAULT_ADMIN },
};

/** The targets a choice runs, one after the other, each from a reset lab. */
export function targetRunsOf(choice: TargetChoice): TargetName[] {
  if (choice === 'all') return [...TARGET_NAMES];
  return choice === 'both' ? ['monolith', 'micro'] : [choice];
}

/** The stack a target runs on: monolith-fixed is the monolith. */
export function stackOf(target: TargetName): StackName {
  return target === 'micro' ? 'micro' : 'monolith';
}

/** The stacks a choice needs running (each once). */
export function targetsOf(choice: TargetChoice): StackName[] {
  return [...new Set(targetRunsOf(choice).map(stackOf))];
}

/** Throws a one-line message for options that cannot make a meaningful run. */
export function validateOptions(options: BenchOptions): void {
  const problems: string[] = [];
  if (!SCENARIOS.includes(options.scenario)) problems.push(`unknown scenario "${options.scenario}"`);
  if (!TARGET_CHOICES.includes(options.target)) problems.push(`unknown target "${options.target}"`);
  const positive: (keyof BenchOptions)[] = ['buyers', 'connections', 'durationSec', 'repeat'];
  for (const key of positive) {
    const value = options[key] as number;
    if (!Number.isInteger(value) || value < 1) problems.push(`${key} must be a whole number of at least 1`);
  }
  for (const key of ['stock', 'paymentDelayMs', 'emailDelayMs'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 0) problems.push(`${key} must be a whole number >= 0`);
  }
  if (!(options.failureRate >= 0 && options.failureRate <= 1)) problems.push('failureRate must be between 0 and 1');
  if (options.rate !== undefined && !(options.rate > 0)) problems.push('rate must be above 0 when set');
  if (problems.length) throw new Error(`Invalid benchmark options: ${problems.join('; ')}`);
}
