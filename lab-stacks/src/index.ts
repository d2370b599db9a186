/**
 * What starts and stops the lab's stacks, for the launcher (`npm start`), the benchmarks and the tests: the whole lab
 * (`startLab`), the microservices as processes (`startMicroservices`), broker cleanup, and the checker of an order
 * history. Test stacks are in `@checkout-lab/stacks/testing`. No service depends on this package.
 */
export { ROOT, startLab, type Lab, type LabOptions, type LabUrls } from './lab-runner';
export {
  JWT_SECRET_FILE,
  LAB_PROCESSES_FILE,
  labJwtSecret,
  ProcessRecord,
  stopLeftovers,
  type LabProcesses,
  type RecordedProcess,
} from './lab-processes';
export {
  SERVICE_NAMES,
  serviceExists,
  startMicroservices,
  type MicroStack,
  type ServiceHandle,
  type ServiceName,
  type StartMicroservicesOptions,
} from './microservices';
export { deleteBrokerObjects } from './broker-cleanup';
export { serviceQueueDepths, serviceQueues } from './service-queues';
export {
  type AttemptOutcome,
  type AuditOrder,
  type AuditTruth,
  type CheckoutAttempt,
  checkHistory,
  confirmedOrderIds,
  FAILING_COUNTS,
  failingCounts,
  type Finding,
  type HistoryCheck,
  type HistoryInput,
  INVARIANTS,
  type InvariantName,
  type InvariantResult,
  type OrderItem,
  type OrphanCharge,
  type ProblemCount,
  VERDICT_COUNTS,
  type Verdict,
  type VerdictCount,
  type VerdictIds,
} from './verdict';
