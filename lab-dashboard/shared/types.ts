/**
 * The shapes the lab API (server/) and the page (src/) share, beside both; snake_case JSON like the stacks speak.
 */
import type {
  TargetResult as BenchTargetResult,
  Scenario,
  StackName,
  TargetChoice as EngineTarget,
  TargetName,
} from '@checkout-lab/benchmarks';
import type { DeadLetter, FaultName, FaultsAnswer, Fixes, LabOrder } from '@checkout-lab/contract';

export type StackId = StackName;
/** What one result of a run measured: a stack, or monolith-fixed (the monolith with every fix switch on). */
export type TargetId = TargetName;
/** The engine's target choices; the page runs each target of a choice itself (run-manager.ts). */
export type TargetChoice = EngineTarget;

/** Every choice the Load runs view offers, for the server's validation. */
export const TARGET_CHOICES = [
  'monolith',
  'monolith-fixed',
  'micro',
  'both',
  'all',
] as const satisfies readonly TargetChoice[];

/** The targets a choice runs, one after the other: the blocking monolith, the fixed one, the microservices. */
export const TARGETS_OF: Record<TargetChoice, TargetId[]> = {
  monolith: ['monolith'],
  'monolith-fixed': ['monolith-fixed'],
  micro: ['micro'],
  both: ['monolith', 'micro'],
  all: ['monolith', 'monolith-fixed', 'micro'],
};

/** The stack a target runs on: the fixed monolith is the monolith (its URL, its orders). */
export const STACK_OF: Record<TargetId, StackId> = {
  monolith: 'monolith',
  'monolith-fixed': 'monolith',
  micro: 'micro',
};
export type ScenarioId = Extract<Scenario, 'steady' | 'black-friday' | 'single'>;

/** The benchmark engine's scenarios (benchmarks/src/scenarios), as the page offers them. */
export const SCENARIOS: { id: ScenarioId; label: string; hint: string }[] = [
  {
    id: 'black-friday',
    label: 'Black Friday rush',
    hint: 'N buyers of the one doorbuster (stock S), all at once: watch the monolith queue on one row lock.',
  },
  {
    id: 'steady',
    label: 'Steady load: browsing while others buy',
    hint: 'C connections for D seconds; each buyer lists, views, adds to the cart and checks out, a quarter on the hot product.',
  },
  {
    id: 'single',
    label: 'One buyer at a time',
    hint: 'N sequential checkouts: the two clocks (what the buyer waited, when the order was final) without contention.',
  },
];

export interface RunSettings {
  scenario: ScenarioId;
  target: TargetChoice;
  connections: number;
  duration_s: number;
  buyers: number;
  stock: number;
  payment_delay_ms: number;
  email_delay_ms: number;
  payment_failure_rate: number;
}

export const DEFAULT_RUN_SETTINGS: RunSettings = {
  scenario: 'black-friday',
  target: 'both',
  connections: 10,
  duration_s: 10,
  buyers: 20,
  stock: 10,
  payment_delay_ms: 300,
  email_delay_ms: 300,
  payment_failure_rate: 0,
};

/** The server's own truth about one order, from GET /api/lab/orders (the contract's type). */
export type { LabOrder };

/** One dead letter of the microservices, from the gateway's GET /api/lab/dead-letters (the contract's type). */
export type { DeadLetter };

/** One process the launcher supervises, from GET /api/lab/processes (lab-kit's process table). */
export type { LabProcess } from '@checkout-lab/kit';

/** Who is logged in to the lab API (GET /api/session). */
export interface LabSession {
  logged_in: boolean;
  email: string | null;
}

/** One checkout from the buyer's side: when it left (ms after the rush began), what it waited, what it got. */
export interface CheckoutSample {
  order_id: number | null;
  started_at_ms: number;
  client_latency_ms: number;
  http_status: number;
  final_status: string | null;
  processing_duration_ms: number | null;
  completion_duration_ms: number | null;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface TargetResult {
  target: TargetId;
  started_at: string;
  finished_at: string;
  requests: number;
  requests_per_sec: number;
  errors: number;
  non_2xx: number;
  latency_ms: LatencySummary;
  /** Requests completed per second of the run, as the load generator saw them. */
  throughput: { second: number; requests: number }[];
  orders: LabOrder[];
  /** Each checkout as the load generator saw it, when the scenario places checkouts one by one (black-friday). */
  samples: CheckoutSample[];
  /** Invariants the benchmark engine checked, when it reports them. */
  invariants: { name: string; ok: boolean; detail?: string }[];
  /** The checker's counts (docs/conventions.md, "The verdict"); absent in runs kept before it was passed on. */
  verdict?: Verdict;
  /** The ids behind each count: order ids, product ids for stock_drift, the provider's charge ids for orphan_charges. */
  verdict_ids?: VerdictIds;
  /** The faults on and the patterns off as the run started; absent in runs kept before it was recorded. */
  in_force?: BenchTargetResult['in_force'];
}

export type Verdict = BenchTargetResult['verdict'];
export type VerdictIds = BenchTargetResult['verdict_ids'];

export interface LabCost {
  /** CPU time the lab API process (which also runs the load generator) used during the run. */
  cpu_user_ms: number;
  cpu_system_ms: number;
  wall_ms: number;
  /** CPU time over wall time: 1.0 means one core fully busy. */
  cores_used: number;
}

export type RunStatus = 'running' | 'finished' | 'failed' | 'cancelled';

export interface RunRecord {
  id: number;
  created_at: string;
  settings: RunSettings;
  status: RunStatus;
  error: string | null;
  results: TargetResult[];
  cost: LabCost | null;
}

export interface RunProgress {
  run_id: number;
  status: RunStatus;
  /** 0..1 over the whole run (every target of the choice). */
  fraction: number;
  phase: string;
  target: TargetId | null;
}

export interface LockWait {
  pid: number;
  database: string;
  blocked_by: number[];
  wait_ms: number;
  query: string;
  application_name: string;
}

export interface QueueState {
  /** The service that consumes from the queue (or whose dead letters it keeps). */
  service: string;
  /** The consumer's purpose, the last part of the queue's name; `dlq` for the dead-letter queue. */
  purpose: string;
  name: string;
  exists: boolean;
  /** Messages ready in the queue: its depth. */
  messages: number;
  consumers: number;
  /** Messages parked in the queue's retry queues, waiting for their backoff to end. */
  retrying: number;
  dead_letter: boolean;
}

export interface ProcessHealth {
  name: string;
  url: string;
  status: 'ok' | 'degraded' | 'down';
  detail?: string;
}

export interface Internals {
  sampled_at: string;
  lock_waits: LockWait[];
  connections: { database: string; active: number; idle: number; idle_in_transaction: number; total: number }[];
  /** RABBIT_PREFIX as the queue names use it ("" or ending with a dot). */
  rabbit_prefix: string;
  queues: QueueState[];
  rabbit_error: string | null;
  postgres_error: string | null;
  mail: { total: number; latest: { subject: string; to: string; time: string }[]; error: string | null };
  lab_cpu: { user_ms: number; system_ms: number; uptime_s: number };
}

export interface HealthReport {
  processes: ProcessHealth[];
}

/** One stack's faults in force and its catalog (GET /api/lab/faults on a stack). */
export type { FaultName, FaultsAnswer };

/** GET /api/lab/faults of the lab API: each stack's answer, or the error it gave. */
export type FaultsByStack = Partial<Record<StackId, FaultsAnswer | { error: { code: string; message: string } }>>;

/** The microservices' reliability patterns as switches (the gateway's GET /api/lab/patterns). */
export interface Patterns {
  outbox: boolean;
  idempotent_consumers: boolean;
  dead_letters: boolean;
  compensation: boolean;
}

/** Each pattern with what it prevents, in one line, as the Faults view shows it. */
export const PATTERNS: { name: keyof Patterns; label: string; prevents: string }[] = [
  {
    name: 'outbox',
    label: 'Outbox',
    prevents: 'an order committed whose event is never published (a crash between commit and publish): lost orders',
  },
  {
    name: 'idempotent_consumers',
    label: 'Idempotent consumers',
    prevents: 'a message delivered twice acting twice: duplicated charges and emails',
  },
  {
    name: 'dead_letters',
    label: 'Dead letters',
    prevents: 'a message that always fails being retried forever: it is parked, visible, and can be redriven',
  },
  {
    name: 'compensation',
    label: 'Compensation',
    prevents: 'a failed order keeping the stock it reserved (or a charge): the reservation is given back',
  },
];

/** The monolith's fix switches (GET /api/lab/fixes on the monolith); the gateway answers 404 NOT_APPLICABLE. */
export type { Fixes };

/** Each fix with what it buys, in one line, as the monolith's pane shows it (LESSONS.md, "Is it the architecture or the transaction?"). */
export const FIXES: { name: keyof Fixes; label: string; prevents: string }[] = [
  {
    name: 'short_lock',
    label: 'Short lock',
    prevents: 'buyers queueing on the stock row through a payment: one conditional UPDATE, committed at once',
  },
  {
    name: 'payment_outside_transaction',
    label: 'Payment outside the transaction',
    prevents: 'a lock and a connection held through the charge: commit pending, charge, record; a decline gives back',
  },
  {
    name: 'async_email',
    label: 'Email as a job',
    prevents: 'waiting for the mail server, and an email failure throwing a paid order away',
  },
  {
    name: 'accept_then_process',
    label: 'Accept, then process',
    prevents: 'the buyer waiting for the payment at all: 202 at once, the order goes pending → confirmed',
  },
];

/** A fault the scheduler may switch on: on this stack, to this value. */
export interface ScheduledFault {
  stack: StackId;
  name: FaultName;
  value: boolean | number | string;
}

/** One thing the scheduler did: a fault switched on, off at the end of its time, or reverted when it stopped. */
export interface SchedulerEvent {
  at: string;
  stack: StackId;
  fault: FaultName;
  value: boolean | number | string;
  action: 'on' | 'off' | 'revert';
  /** The stack's refusal (FAULT_NOT_IMPLEMENTED…, or STACK_ERROR when it did not answer); null when it took it. */
  error: string | null;
}

/** GET /api/lab/scheduler: what the scheduler runs, what is on now, and what it did. */
export interface SchedulerState {
  running: boolean;
  seed: number | null;
  min_s: number | null;
  max_s: number | null;
  faults: ScheduledFault[];
  started_at: string | null;
  stopped_at: string | null;
  /** The faults it has switched on and not yet off. */
  active: (ScheduledFault & { since: string })[];
  /** Newest last, the last 500. */
  history: SchedulerEvent[];
}
