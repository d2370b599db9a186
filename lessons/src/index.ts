/**
 * The guided lessons as data (each step's check reads the live lab, its solve does the step), their command line
 * (`npm run lesson`, bin/lesson.ts) and verify-all.
 */
export { LESSONS } from './catalog';
export { type CliDeps, type Command, parseArgs, runCli, USAGE } from './cli';
export {
  type Answer,
  LabHandle,
  type LabAddress,
  labAddressFromEnv,
  LabNotRunning,
  type Order,
  type OrderStep,
} from './lab-handle';
export { type CheckResult, fail, type Lesson, pass, type Stack, type Step } from './lesson';
export { Progress, progressFile, type ProgressData } from './progress';
export { type OwnLab, solveAndCheckAll, startOwnLab, type StepResult, writeResults } from './verify-all';
