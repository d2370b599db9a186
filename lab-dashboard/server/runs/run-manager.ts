import { EventEmitter } from 'node:events';
import {
  type LabCost,
  type RunProgress,
  type RunRecord,
  type RunSettings,
  STACK_OF,
  type StackId,
  TARGETS_OF,
  type TargetId,
  type TargetResult,
} from '../../shared/types';
import { NO_FIXES } from '@checkout-lab/contract';
import type { StackClient } from '../stack-client';
import type { RunsRepository } from './runs.repository';

/** What one stack's load run measured, as the load engine reports it (orders come from the stack itself). */
export type EngineOutcome = Omit<TargetResult, 'target' | 'started_at' | 'finished_at' | 'orders'>;

/** The benchmark engine, seen from the dashboard: one scenario against one target (a stack, or the fixed monolith). */
export interface LoadEngine {
  run(
    target: TargetId,
    settings: RunSettings,
    hooks: { onProgress: (fraction: number, phase: string) => void; signal: AbortSignal },
  ): Promise<EngineOutcome>;
}

export class RunBusyError extends Error {}

/** Switches every fix of the monolith off; resolves with what puts them back as they were. */
async function allFixesOff(stack: StackClient): Promise<() => Promise<void>> {
  const before = await stack.fixes();
  await stack.putFixes(NO_FIXES);
  return async () => {
    await stack.putFixes(before);
  };
}

/**
 * Runs one load run at a time, in this process: against the monolith, the monolith with every fix, the microservices,
 * or two or all three of them one after the other with the same settings. Progress goes out as events (the SSE route streams them); a run can be cancelled, which
 * aborts the engine through its AbortSignal. The lab's own CPU cost is measured around the run.
 */
export class RunManager extends EventEmitter {
  private active: { id: number; controller: AbortController; progress: RunProgress } | null = null;

  constructor(
    private readonly repository: RunsRepository,
    private readonly stacks: Record<StackId, StackClient>,
    private readonly engine: () => Promise<LoadEngine>,
  ) {
    super();
    this.setMaxListeners(100);
  }

  get current(): RunProgress | null {
    return this.active?.progress ?? null;
  }

  async start(settings: RunSettings): Promise<RunRecord> {
    if (this.active) throw new RunBusyError(`Run #${this.active.id} is still going: cancel it or wait for it.`);
    const engine = await this.engine();
    const record = await this.repository.create(settings);
    const controller = new AbortController();
    this.active = {
      id: record.id,
      controller,
      progress: { run_id: record.id, status: 'running', fraction: 0, phase: 'starting', target: null },
    };
    void this.execute(record.id, settings, engine, controller.signal);
    return record;
  }

  cancel(id: number): boolean {
    if (!this.active || this.active.id !== id) return false;
    this.active.controller.abort(new Error('cancelled from the dashboard'));
    return true;
  }

  /** Resolves when the active run (if any) has finished and been saved. */
  async settled(): Promise<void> {
    while (this.active) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  private report(progress: Partial<RunProgress>): void {
    if (!this.active) return;
    this.active.progress = { ...this.active.progress, ...progress };
    this.emit('progress', this.active.progress);
  }

  private async execute(id: number, settings: RunSettings, engine: LoadEngine, signal: AbortSignal): Promise<void> {
    const targets = TARGETS_OF[settings.target];
    const results: TargetResult[] = [];
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    let status: RunRecord['status'] = 'finished';
    let error: string | null = null;
    try {
      for (const [index, target] of targets.entries()) {
        const share = (fraction: number) => (index + Math.min(1, Math.max(0, fraction))) / targets.length;
        // The engine resets the stack, sets the knobs (and the Black Friday stock) itself, then loads it; for
        // monolith-fixed it switches every fix on before and puts them back after. Its orders are the monolith's.
        this.report({ target, phase: 'starting', fraction: share(0) });
        const stack = this.stacks[STACK_OF[target]];
        signal.throwIfAborted();
        const startedAt = new Date().toISOString();
        // In the fair fight (all), the plain monolith is the blocking one: every fix off for its run, whatever the
        // student had switched, and put back after, as the CLI's --target all does.
        const restoreFixes = settings.target === 'all' && target === 'monolith' ? await allFixesOff(stack) : null;
        const outcome = await engine
          .run(target, settings, {
            signal,
            onProgress: (fraction, phase) => this.report({ target, phase, fraction: share(fraction * 0.95) }),
          })
          .finally(() => restoreFixes?.());
        this.report({ target, phase: 'reading every order from the server', fraction: share(0.97) });
        // When the engine placed each checkout itself (black-friday), its warm-up orders are left out by id.
        const recorded = new Set(outcome.samples.map((sample) => sample.order_id).filter((id) => id !== null));
        const orders = (await stack.orders(startedAt)).filter((o) => recorded.size === 0 || recorded.has(o.id));
        results.push({ ...outcome, target, started_at: startedAt, finished_at: new Date().toISOString(), orders });
      }
    } catch (failure) {
      status = signal.aborted ? 'cancelled' : 'failed';
      error = signal.aborted ? 'cancelled' : (failure as Error).message;
    }
    const cpu = process.cpuUsage(cpuBefore);
    const wallMs = performance.now() - wallBefore;
    const cost: LabCost = {
      cpu_user_ms: Math.round(cpu.user / 1000),
      cpu_system_ms: Math.round(cpu.system / 1000),
      wall_ms: Math.round(wallMs),
      cores_used: wallMs > 0 ? Number(((cpu.user + cpu.system) / 1000 / wallMs).toFixed(3)) : 0,
    };
    try {
      await this.repository.finish(id, { status, error, results, cost });
    } finally {
      this.report({
        status,
        fraction: status === 'finished' ? 1 : (this.active?.progress.fraction ?? 0),
        phase: error ?? 'done',
      });
      this.active = null;
    }
  }
}
