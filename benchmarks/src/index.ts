/** The benchmark engine: what the CLI and the lab dashboard import. */
export { runBenchmark, comparableMetrics } from './engine';
export type { Hooks, Progress } from './engine';
export {
  DEFAULT_BENCH_OPTIONS,
  SCENARIOS,
  stackOf,
  TARGET_CHOICES,
  TARGET_NAMES,
  targetRunsOf,
  targetsOf,
  validateOptions,
} from './options';
export type { BenchOptions, Scenario, StackName, TargetChoice, TargetName } from './options';
export { writeReport } from './write-report';
export type { WrittenReport } from './write-report';
export type { Audit } from './client';
export type { AcceptedOrder } from './stack-run';
export { compareReports } from './compare';
export type { OrderSample, Report, TargetResult } from './report';
export type { Comparison, Regression } from './compare';
export { percentile, summarize, ratio } from './stats';
export type { Summary } from './stats';
export { toMarkdown } from './markdown';
export { REPORT_SCHEMA_VERSION } from './report';
export type * from './report';
