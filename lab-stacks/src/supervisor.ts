import {
  type LabProcessStack,
  type LabProcessStatus,
  type ManagedProcess,
  type ProcessTableEntry,
  processStartTime,
  STOP_GRACE_MS,
} from '@checkout-lab/kit';

/**
 * What keeps the lab's processes running, the way an orchestrator's restart policy keeps containers running: every
 * process the launcher starts (the monolith, each microservice, the dashboard) goes through one Supervisor. When one
 * exits without being asked to (a crash, `kill -9`, POST /api/lab/processes/:name/kill), it is started again after a
 * backoff and counts as running once its /health answers; when the lab stops, nothing is restarted.
 */

export interface RestartPolicy {
  /** The wait before the first restart. */
  firstDelayMs: number;
  /** Each restart that follows a short run waits twice as long as the one before, up to this. */
  maxDelayMs: number;
  /** A run that stayed healthy this long was not a crash loop: the next restart waits firstDelayMs again. */
  healthyResetMs: number;
}

export const RESTART_POLICY: RestartPolicy = { firstDelayMs: 500, maxDelayMs: 10_000, healthyResetMs: 30_000 };

/** The wait before the next restart, after a wait of previousMs (null: none yet) and a healthy run of ranHealthyMs. */
export function restartDelay(previousMs: number | null, ranHealthyMs: number, policy: RestartPolicy): number {
  if (previousMs === null || ranHealthyMs >= policy.healthyResetMs) return policy.firstDelayMs;
  return Math.min(previousMs * 2, policy.maxDelayMs);
}

/** How to run one process of the lab: every run of it is spawned and checked the same way. */
export interface ProcessSpec {
  name: string;
  stack: LabProcessStack;
  url: string;
  /** Spawns one run of it. */
  spawn(): ManagedProcess;
  /** Resolves once that run answers its health check; rejects when it exits first, never answers, or signal aborts. */
  healthy(run: ManagedProcess, signal?: AbortSignal): Promise<void>;
}

interface Supervised {
  spec: ProcessSpec;
  run: ManagedProcess;
  /** The run's start time, read once at its spawn: a pid read again later may belong to another process by then. */
  start: string | null;
  status: LabProcessStatus;
  restarts: number;
  /** The last restart's wait, for the backoff; null until the first restart. */
  delayMs: number | null;
  /** Since when the current run is healthy; null while it starts or waits to restart. */
  healthySince: number | null;
  /** The pending restart. */
  timer: NodeJS.Timeout | null;
  /** False once it was asked to stop: its exit is then final. */
  wanted: boolean;
}

export interface SupervisorOptions {
  /** Off (the tests' stacks): an exit is final, and a test that kills a service restarts it itself. */
  restart: boolean;
  policy?: RestartPolicy;
  /** One line per restart, for the launcher's output. */
  say?: (line: string) => void;
  /** The table after every change (started, exited, restarting, running again, stopped). */
  onChange?: (table: ProcessTableEntry[]) => void;
}

function howItEnded(run: ManagedProcess): string {
  return run.child.signalCode ?? `code ${run.child.exitCode}`;
}

function alive(run: ManagedProcess): boolean {
  return run.child.exitCode === null && run.child.signalCode === null;
}

export class Supervisor {
  private readonly processes = new Map<string, Supervised>();
  /** Aborted when supervision ends: a restart that is waiting for its /health gives up. */
  private readonly ending = new AbortController();

  constructor(private readonly options: SupervisorOptions) {}

  /**
   * Spawns the process and resolves once it is healthy; from then on it is supervised. A process that fails its
   * first start is not restarted: the start fails with the reason (its log), as it would without supervision.
   */
  async start(spec: ProcessSpec, signal?: AbortSignal): Promise<void> {
    const previous = this.processes.get(spec.name);
    const run = spec.spawn();
    const entry: Supervised = {
      spec,
      run,
      start: processStartTime(run.child.pid ?? 0),
      status: 'restarting',
      restarts: previous?.restarts ?? 0,
      delayMs: null,
      healthySince: null,
      timer: null,
      wanted: true,
    };
    this.processes.set(spec.name, entry);
    let healthy = false;
    this.watch(entry, entry.run, () => healthy);
    this.changed();
    try {
      await spec.healthy(entry.run, signal);
    } catch (error) {
      entry.wanted = false;
      throw error;
    }
    healthy = true;
    this.markHealthy(entry, entry.run);
  }

  /**
   * Stops it for good (no restart): the signal (SIGTERM: a clean stop; SIGKILL: as a crash would, for a test that
   * then starts it again itself), then SIGKILL when it still runs after the grace period.
   */
  async stop(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const entry = this.processes.get(name);
    if (!entry) return;
    entry.wanted = false;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    const { run } = entry;
    if (alive(run)) run.child.kill(signal);
    const timer = setTimeout(() => run.child.kill('SIGKILL'), STOP_GRACE_MS);
    await run.exited;
    clearTimeout(timer);
    entry.status = 'stopped';
    this.changed();
  }

  /**
   * SIGKILL to the current run of name, as a crash would (the benchmarks' --kill, the dashboard's Kill): the exit is
   * not asked for, so the process is restarted like after any crash. False when no run of that name is alive now.
   */
  kill(name: string): boolean {
    const entry = this.processes.get(name);
    if (!entry?.wanted || !alive(entry.run)) return false;
    entry.run.child.kill('SIGKILL');
    return true;
  }

  /** From now on every exit is final and no restart is pending: the lab is stopping. Then stop each process. */
  endSupervision(): void {
    this.ending.abort(new Error('the lab is stopping'));
    for (const entry of this.processes.values()) {
      entry.wanted = false;
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
    }
  }

  /** The table: one entry per process, in the order they were first started. */
  table(): ProcessTableEntry[] {
    return [...this.processes.values()].map(({ spec, run, start, status, restarts }) => ({
      name: spec.name,
      stack: spec.stack,
      pid: run.child.pid ?? 0,
      start,
      status,
      restarts,
      url: spec.url,
    }));
  }

  private changed(): void {
    this.options.onChange?.(this.table());
  }

  private markHealthy(entry: Supervised, run: ManagedProcess): void {
    if (entry.run !== run || !alive(run)) return;
    entry.status = 'running';
    entry.healthySince = Date.now();
    this.changed();
  }

  /** When this run ends: final when asked for (or before its first health), else a restart after the backoff. */
  private watch(entry: Supervised, run: ManagedProcess, startedOnce: () => boolean): void {
    run.exited.then(() => {
      if (entry.run !== run) return;
      const ranHealthyMs = entry.healthySince === null ? 0 : Date.now() - entry.healthySince;
      entry.healthySince = null;
      if (!entry.wanted || !this.options.restart || !startedOnce() || this.ending.signal.aborted) {
        entry.status = 'stopped';
        this.changed();
        return;
      }
      // LESSON: A crash: one shop down, or one function? (LESSONS.md#a-crash-one-shop-down-or-one-function). The
      // policy of a container orchestrator: start it again, waiting longer after each quick crash so a process that
      // cannot start never spins the CPU, and count it running only once its /health answers.
      entry.delayMs = restartDelay(entry.delayMs, ranHealthyMs, this.options.policy ?? RESTART_POLICY);
      entry.restarts += 1;
      entry.status = 'restarting';
      this.options.say?.(
        `${entry.spec.name} exited (${howItEnded(run)}): restarting in ${entry.delayMs / 1000} s (restart ${entry.restarts})`,
      );
      entry.timer = setTimeout(() => this.restart(entry), entry.delayMs);
      this.changed();
    });
  }

  private async restart(entry: Supervised): Promise<void> {
    entry.timer = null;
    if (!entry.wanted) return;
    const run = entry.spec.spawn();
    entry.run = run;
    entry.start = processStartTime(run.child.pid ?? 0);
    // A restarted run that exits before its /health answers is restarted again, with the next backoff.
    this.watch(entry, run, () => true);
    this.changed();
    try {
      await entry.spec.healthy(run, this.ending.signal);
      this.markHealthy(entry, run);
    } catch {
      // It exited (its exit restarts it), or it never answered: then it is ended, and that exit restarts it.
      if (entry.run === run && alive(run) && !this.ending.signal.aborted) run.child.kill('SIGKILL');
    }
  }
}
