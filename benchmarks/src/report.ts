import type { InForce } from './in-force';
import type { Fixes } from '@checkout-lab/contract';
import type { Knobs } from '@checkout-lab/kit';
import type { InvariantResult, Verdict, VerdictIds } from '@checkout-lab/stacks/verdict';
import type { BenchOptions, Scenario, StackName, TargetName } from './options';
import type { Summary } from './stats';

/** Version of the report.json layout described in benchmarks/REPORT-SCHEMA.md; bumped on any breaking change. */
export const REPORT_SCHEMA_VERSION = 1;

/** One checkout as the benchmark saw it (client side) and as the server recorded it. */
export interface OrderSample {
  /** The order id, or null when the checkout was refused (e.g. 409 OUT_OF_STOCK) or failed. */
  id: number | null;
  repetition: number;
  /** Which buyer (0-based) of the run placed it. */
  buyer: number;
  http_status: number;
  /** The error code of a refused checkout (OUT_OF_STOCK, ...), else null. */
  error_code: string | null;
  /** When the request left the client, in ms since the start of the measured phase (of its repetition). */
  started_at_ms: number;
  /** What the buyer waited for the checkout response, measured by the client. */
  client_latency_ms: number;
  accepted: boolean;
  /** The status after polling to final: confirmed, cancelled; pending etc. if the deadline passed. */
  final_status: string | null;
  failure_reason: string | null;
  /** The server's clock: how long the checkout request took (monolith: everything; microservices: the accept). */
  processing_duration_ms: number | null;
  /** The server's clock: checkout start to final status. */
  completion_duration_ms: number | null;
}

export interface HttpCounts {
  total: number;
  by_status: Record<string, number>;
  /** Requests with no HTTP answer at all (connection refused or reset, timeouts). */
  network_errors: number;
  status_5xx: number;
}

/** What autocannon measured for one load run. */
export interface LoadResult {
  label: string;
  url: string;
  connections: number;
  duration_sec: number;
  /** The requested rate (requests/s over all connections), or null for as-fast-as-possible. */
  target_rate: number | null;
  /** Requests completed per second: total responses / duration. */
  achieved_rate: number;
  total_requests: number;
  non_2xx: number;
  errors: number;
  timeouts: number;
  by_status: Record<string, number>;
  /** Latency of every request, ms (autocannon's HDR histogram; coordinated-omission correction off when a rate is set). */
  latency_ms: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Requests per second, sampled each second. */
  requests_per_sec: { p50: number; mean: number; min: number; max: number };
}

/** A goal from the issues (e.g. "p50 at most 5 ms"), measured in this run. Reported, never fails the run. */
export interface GoalResult {
  name: string;
  description: string;
  value: number | null;
  unit: string;
  /** "<=" value at most limit; ">=" value at least limit; "within" |value - 1| at most limit (for ratios). */
  comparator: '<=' | '>=' | 'within';
  limit: number;
  passed: boolean | null;
}

/** A figure that --baseline compares between runs. Ratios only, so that machines of different speed compare. */
export interface ComparableMetric {
  value: number | null;
  better: 'lower' | 'higher';
  /** Relative change allowed before it counts as a regression (0.25 = 25 % worse). */
  threshold: number;
  description: string;
}

export interface TargetMetrics {
  checkouts: number;
  accepted: number;
  confirmed: number;
  cancelled: number;
  refused: number;
  not_final: number;
  client_latency_ms: Summary;
  processing_duration_ms: Summary;
  completion_duration_ms: Summary;
  /** single, monolith: processing_duration_ms minus the configured delays. */
  overhead_ms?: Summary;
  /** black-friday: slowest buyer's wait / (confirmed buyers x (payment + email delay)); 1.0 is a perfect queue. */
  rush_ratio?: number | null;
  /** black-friday: the last accept and the last final status, ms after the rush started (client clock). */
  last_accept_ms?: number | null;
  last_final_ms?: number | null;
  /** steady: the autocannon figures of the mixed load. */
  load?: LoadResult;
  /** steady and throughput: accepted checkouts per second. */
  accepted_checkouts_per_sec?: number;
  /** throughput: accepted checkouts/s / the bare Express POST's answers/s at the same connections, same run. */
  accepted_checkouts_to_floor?: number | null;
  /**
   * steady and throughput: the machine's CPU per accepted checkout during the load (cpu.window.machine) / its CPU
   * per floor POST (baseline.post_cpu) in the same run: how many bare POSTs one checkout costs. Null when either is
   * unknown.
   */
  machine_cpu_per_checkout_to_floor?: number | null;
}

/** RSS of one process of a stack, bytes. */
export interface ProcessMemory {
  pid: number;
  idle_rss_bytes: number | null;
  peak_rss_bytes: number | null;
}

/** The resident memory of a stack's processes together: idle before the run and at the peak during it. */
export interface MemoryResult {
  /** "proc": read from /proc/<pid>/status of the processes listening on the stack's ports; "unknown": not found. */
  source: 'proc' | 'unknown';
  detail: string;
  processes: Record<string, ProcessMemory>;
  process_count: number;
  /** Sum over the processes, sampled once before the stack's run (after the previous stack finished). */
  idle_rss_bytes: number | null;
  /** The largest sum over the processes among the samples taken every 200 ms during the stack's run. */
  peak_rss_bytes: number | null;
  samples: number;
}

/** CPU time of one process, or of several together, during a window. A figure that could not be read is null. */
export interface CpuFigure {
  /** CPU seconds (user + system) used during the window. */
  cpu_s: number | null;
  /** cpu_s / window_s: the share of one core (0.5: half a core for the whole window; above 1 with several threads). */
  core_share: number | null;
  /** cpu_s in ms / the checkouts accepted (201 or 202) during the window. */
  ms_per_accepted_checkout: number | null;
}

/** stack: the stack's own processes; shared infrastructure: PostgreSQL, RabbitMQ, the lab runner; the benchmark. */
export type CpuRole = 'stack' | 'shared infrastructure' | 'load generator';

export interface ProcessCpu extends CpuFigure {
  role: CpuRole;
  /** null when the process was not found on this machine (then every figure is null). */
  pid: number | null;
  /** How it was found and what was added up, or why it is unknown. */
  detail: string;
}

/** The whole machine during the window, from the first line of /proc/stat. */
export interface MachineCpu {
  cores: number | null;
  /** (user + nice + system + irq + softirq + steal) / all the time of every core: 1 means every core was busy. */
  busy_share: number | null;
  /** That busy time in CPU seconds, every core added up. */
  busy_cpu_s: number | null;
  /**
   * busy_cpu_s minus the CPU seconds of every listed process whose figure is known: other processes on the machine,
   * the kernel's own work (interrupts), and any listed process whose figure is unknown.
   */
  other_cpu_s: number | null;
  /** busy_cpu_s in ms / the checkouts accepted during the window: what a checkout cost the whole machine. */
  ms_per_accepted_checkout: number | null;
}

/** CPU of the processes during one window of the run (several spans added up: black-friday's rushes). */
export interface CpuWindow {
  description: string;
  /** Wall-clock seconds of the window (of its spans together). */
  window_s: number;
  spans: number;
  /** Checkouts answered 201 or 202 during the window. */
  accepted_checkouts: number;
  /** By name: the stack's processes, then postgresql, rabbitmq, lab-runner and load-generator when found. */
  processes: Record<string, ProcessCpu>;
  /** The stack's processes together (the monolith; the gateway and six services); null when one is unknown. */
  stack: CpuFigure;
  /** Every listed process together (stack, shared infrastructure, load generator); null when one is unknown. */
  all_listed: CpuFigure;
  machine: MachineCpu;
}

/** CPU accounting of a stack's run: utime + stime from /proc/<pid>/stat at the start and the end of each window. */
export interface CpuResult {
  /** "proc": read from /proc; "unknown": /proc/stat is not readable here (not Linux), and both windows are null. */
  source: 'proc' | 'unknown';
  detail: string;
  /** The kernel's clock ticks per second (getconf CLK_TCK); null when source is unknown. */
  clock_ticks_per_sec: number | null;
  /** "getconf", or "default" when getconf did not answer and 100 was assumed. */
  clock_ticks_source: 'getconf' | 'default';
  /** The measured window: the autocannon load (steady, throughput); every rush until its orders were final (black-friday). */
  window: CpuWindow | null;
  /** steady and throughput: from the load's start until every checkout accepted during it was final. */
  with_settle: CpuWindow | null;
}

/** chaos: one fault of the schedule as this stack's run applied it; times are seconds after the rush began. */
export interface ScheduledFault {
  name: string;
  value: boolean | number | string;
  /** As planned: from, and to (null: the whole rush, until every checkout was answered). */
  from_s: number;
  to_s: number | null;
  /**
   * applied: on from applied_at_s to reverted_at_s; not_applicable: not a fault of this stack (422
   * FAULT_NOT_APPLICABLE), skipped; not_implemented: its effect is not built yet (422 FAULT_NOT_IMPLEMENTED), which
   * fails the run; failed: the stack never took it (detail says why), which fails the run too.
   */
  status: 'applied' | 'not_applicable' | 'not_implemented' | 'failed';
  applied_at_s: number | null;
  reverted_at_s: number | null;
  detail: string;
}

/** chaos: one --kill as this stack's run carried it out. */
export interface ScheduledKill {
  process: string;
  at_s: number;
  /** killed; not_of_this_stack: the process belongs to the other stack, skipped; failed: see detail (fails the run). */
  status: 'killed' | 'not_of_this_stack' | 'failed';
  killed_at_s: number | null;
  /** When the supervisor had it running again (its /health answered). */
  restarted_at_s: number | null;
  /** The service's work queues (one per event it consumes), watched from the kill on; [] for a process with none. */
  queues: string[];
  /** The most messages waiting in them together, from the kill until they were empty again. */
  peak_queue_depth: number | null;
  /** The first time after the restart that every one of them was empty. */
  queue_empty_at_s: number | null;
  /** queue_empty_at_s - restarted_at_s, in ms: how long the restarted service took to catch up. */
  restart_to_queue_empty_ms: number | null;
  detail: string;
}

/** chaos: a --pattern as this stack's run applied it. */
export interface ScheduledPattern {
  name: string;
  value: false;
  /** applied: off for the run, back on after it; not_applicable: the stack has no such switch (the monolith); not_built: the gateway answered 404 (not there yet); failed: see detail. */
  status: 'applied' | 'not_applicable' | 'not_built' | 'failed';
  detail: string;
}

/** chaos: what was scheduled on this stack, as it happened. */
export interface ChaosSchedule {
  seed: number;
  /** The buyers' checkouts were spread over this many seconds (their times drawn with the seed). */
  arrival_window_s: number;
  /** Seconds from the first checkout to the last answer and the last scheduled event. */
  rush_s: number;
  faults: ScheduledFault[];
  kills: ScheduledKill[];
  patterns: ScheduledPattern[];
  /** Dead letters redriven while the orders settled (after every fault was reverted); microservices only. */
  redriven: number;
  /** False when a pattern was off and --expect-violations was not given: the verdict is reported, not judged. */
  judged: boolean;
  /** What makes the run fail whatever the verdict: a fault not built, a kill that was not carried out. */
  problems: string[];
}

/**
 * black-friday: the longest lock wait in the stack's stock database during the rush, sampled from pg_stat_activity
 * (lock-wait.ts): the blocking monolith's buyers queue on the hot product's row lock for seconds; with short_lock the
 * lock lasts one statement.
 */
export interface LockWaitResult {
  /** "pg_stat_activity": sampled; "unknown": the server or the stack's process was not found (detail says which). */
  source: 'pg_stat_activity' | 'unknown';
  detail: string;
  /** The databases sampled: those the stack's stock process (the monolith, product-service) is connected to. */
  databases: string[];
  interval_ms: number;
  samples: number;
  /** Samples that saw at least one session waiting on a lock. */
  samples_with_waits: number;
  /** The most sessions seen waiting on a lock at once. */
  most_waiting: number;
  /** The longest wait seen, ms (clock_timestamp() - query_start of a waiting session); 0 when none was seen; null: unknown. */
  longest_ms: number | null;
}

export interface TargetResult {
  /** What was measured: the stack, or monolith-fixed (the monolith with every fix on); the key in Report.targets. */
  target: TargetName;
  /** The stack it ran on (monolith-fixed runs on the monolith). */
  stack: StackName;
  /** Monolith targets: the fix switches in force during the run (GET /api/lab/fixes), put back as they were after. */
  fixes?: Fixes;
  /** The faults not at their default and the patterns off as the run started (in-force.ts); absent: not readable. */
  in_force?: InForce;
  /** black-friday: the longest lock wait on the hot product during the rush. */
  lock_wait?: LockWaitResult;
  url: string;
  knobs: Knobs;
  metrics: TargetMetrics;
  goals: GoalResult[];
  /** The checker's counts (docs/conventions.md, "The verdict"): integers under exactly these names. */
  verdict: Verdict;
  /** The ids behind each count but accepted and final: order ids; product ids for stock_drift; charge ids for orphans. */
  verdict_ids: VerdictIds;
  /** The invariants the checker lists; any one broken fails the run. */
  invariants: InvariantResult[];
  http: HttpCounts;
  orders: OrderSample[];
  /** RSS of the stack's processes (the monolith; the gateway and six services), idle and at peak. */
  memory?: MemoryResult;
  /** steady, throughput and black-friday: CPU of the stack's processes, the shared infrastructure and the benchmark. */
  cpu?: CpuResult;
  /** chaos: the schedule of faults, kills and patterns as this stack's run applied it. */
  schedule?: ChaosSchedule;
  /** Anything a reader should know about this target's run (e.g. orders of other clients seen in the audit). */
  notes: string[];
}

export interface Environment {
  cpu_model: string;
  cores: number;
  total_memory_mb: number;
  os: string;
  node: string;
  postgres: string;
  rabbitmq: string;
  git_commit: string;
  hostname: string;
}

/** The machine's CPU (the first line of /proc/stat) while the floor's POST load ran. */
export interface FloorCpu {
  /** Busy CPU seconds of every core over the POST load, whatever ran (the handler and autocannon share a thread). */
  busy_cpu_s: number | null;
  /** Busy time / all the time of every core during the POST load. */
  busy_share: number | null;
  /** POSTs answered during it. */
  requests: number;
  /** busy_cpu_s in ms / requests: what one bare POST cost the whole machine; null when unknown. */
  ms_per_request: number | null;
}

/** The floor of this machine: a bare Express handler hit with autocannon the same way. */
export interface FloorResult {
  get: LoadResult;
  post: LoadResult;
  /** The autocannon floor (steady, throughput, baseline): the machine's CPU per POST; absent for the sequential one. */
  post_cpu?: FloorCpu | null;
}

export interface Report {
  schema_version: number;
  scenario: Scenario;
  started_at: string;
  finished_at: string;
  duration_sec: number;
  /** The options of the run; the admin password is never written. */
  options: Omit<BenchOptions, 'admin'> & { admin: { email: string } };
  environment: Environment;
  baseline: FloorResult | null;
  /** By target: monolith, monolith-fixed, micro (each present when it ran). */
  targets: Partial<Record<TargetName, TargetResult>>;
  /** Flat map of machine-independent figures, e.g. "steady.micro.accepted_checkouts_ratio". */
  comparable: Record<string, ComparableMetric>;
  /** false when any invariant broke, or the run failed. */
  passed: boolean;
  /** One line per broken invariant or fatal problem. */
  failures: string[];
}
