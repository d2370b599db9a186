import type { Faults, FaultSpec } from '@checkout-lab/contract';
import { AppError, errors, seededRandom } from '@checkout-lab/kit';
import type { FaultName, FaultsAnswer, ScheduledFault, SchedulerEvent, SchedulerState, StackId } from '../shared/types';
import { StackError } from './stack-client';

/**
 * The instructor's fault scheduler (the Faults view; like the OpenTelemetry demo's flag scheduler): it switches one
 * fault on for a while, off again, pauses, and picks the next, from a seed, so the same seed replays the same day of
 * outages. It runs here, in the lab API, so closing the page stops nothing and leaves nothing on: stop() (or the lab
 * API's own stop) reverts every fault it set.
 */

/** The stacks as the scheduler sees them: read a stack's catalog, change its faults. */
export interface FaultStacks {
  faults(stack: StackId): Promise<FaultsAnswer>;
  setFaults(stack: StackId, changes: Partial<Faults>): Promise<unknown>;
}

/** What the instructor chose: a value per fault is optional for booleans (true) and enums (one picked from the seed). */
export interface SchedulerSettings {
  seed: number;
  min_s: number;
  max_s: number;
  faults: { stack: StackId; name: FaultName; value?: boolean | number | string }[];
}

/** One step of the plan: this fault on for on_ms, then every fault of the scheduler off for pause_ms. */
export interface Episode {
  fault: ScheduledFault;
  on_ms: number;
  pause_ms: number;
}

/** The endless plan of a seed: which fault next, for how long, and the pause after it, each within [min_s, max_s]. */
export function* plan(seed: number, faults: ScheduledFault[], min_s: number, max_s: number): Generator<Episode> {
  const random = seededRandom(seed);
  const between = () => Math.round((min_s + random() * (max_s - min_s)) * 1000);
  for (;;) {
    const fault = faults[Math.floor(random() * faults.length)];
    yield { fault, on_ms: between(), pause_ms: between() };
  }
}

/**
 * The value that switches a fault on, checked against the stack's catalog entry: true for a boolean, a crash point
 * picked from the seed for an enum without one; a number needs its value (how much delay, which rate).
 */
export function onValue(
  spec: FaultSpec,
  value: boolean | number | string | undefined,
  random: () => number,
): boolean | number | string {
  const refuse = (message: string) => errors.validation([{ field: spec.name, message }]);
  if (value === undefined) {
    if (spec.type === 'boolean') return true;
    if (spec.type === 'number') throw refuse('a number fault needs the value to set');
    const points = (spec.values ?? []).filter((point) => point !== spec.default);
    return points[Math.floor(random() * points.length)];
  }
  if (value === spec.default) throw refuse('that is the fault’s default (off): nothing would break');
  if (spec.type === 'boolean' && typeof value !== 'boolean') throw refuse('must be true or false');
  if (spec.type === 'enum' && !(spec.values ?? []).includes(value as string))
    throw refuse(`must be one of ${(spec.values ?? []).join(', ')}`);
  if (spec.type === 'number') {
    const { min = 0, max = Number.MAX_SAFE_INTEGER } = spec;
    if (typeof value !== 'number' || value < min || value > max) throw refuse(`must be a number in ${min}..${max}`);
  }
  return value;
}

/** Waits ms, or less when the signal aborts first; never rejects. */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

const HISTORY_LIMIT = 500;
const key = (fault: { stack: StackId; name: FaultName }) => `${fault.stack}:${fault.name}`;

function idle(): SchedulerState {
  return {
    running: false,
    seed: null,
    min_s: null,
    max_s: null,
    faults: [],
    started_at: null,
    stopped_at: null,
    active: [],
    history: [],
  };
}

export class FaultScheduler {
  private state: SchedulerState = idle();
  private run: { controller: AbortController; done: Promise<void> } | null = null;
  private starting = false;
  /** What it set and has not set back yet, with the default that turns each off. */
  private readonly applied = new Map<string, { fault: ScheduledFault; off: boolean | number | string }>();
  /** Each fault's default (off), from the catalogs read at start. */
  private readonly defaults = new Map<string, boolean | number | string>();
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly now: () => Date;

  constructor(
    private readonly stacks: FaultStacks,
    options: { sleep?: (ms: number, signal: AbortSignal) => Promise<void>; now?: () => Date } = {},
  ) {
    this.sleep = options.sleep ?? abortableSleep;
    this.now = options.now ?? (() => new Date());
  }

  snapshot(): SchedulerState {
    return structuredClone(this.state);
  }

  /**
   * Reads the catalog of each stack it will use (a fault outside it: 422 FAULT_NOT_APPLICABLE, set nothing), then
   * starts the plan. 409 SCHEDULER_RUNNING while one runs. A fault the stack refuses later (not built yet) is written
   * in the history with the stack's code, and the plan goes on.
   */
  async start(settings: SchedulerSettings): Promise<SchedulerState> {
    if (this.run || this.starting)
      throw new AppError({
        status: 409,
        code: 'SCHEDULER_RUNNING',
        message: 'The fault scheduler already runs: stop it first',
      });
    this.starting = true;
    try {
      const catalogs = new Map<StackId, FaultSpec[]>();
      for (const stack of new Set(settings.faults.map((fault) => fault.stack)))
        catalogs.set(stack, (await this.stacks.faults(stack)).catalog);
      const random = seededRandom(settings.seed ^ 0x5eed);
      const faults = settings.faults.map((chosen): ScheduledFault => {
        const spec = catalogs.get(chosen.stack)?.find((entry) => entry.name === chosen.name);
        if (!spec)
          throw new AppError({
            status: 422,
            code: 'FAULT_NOT_APPLICABLE',
            message: `Not a fault of the ${chosen.stack === 'micro' ? 'microservices' : 'monolith'}: ${chosen.name}`,
            details: [{ field: chosen.name, message: 'not in this stack’s catalog' }],
          });
        this.defaults.set(key(chosen), spec.default);
        return { stack: chosen.stack, name: chosen.name, value: onValue(spec, chosen.value, random) };
      });
      this.state = {
        ...idle(),
        running: true,
        seed: settings.seed,
        min_s: settings.min_s,
        max_s: settings.max_s,
        faults,
        started_at: this.now().toISOString(),
      };
      const controller = new AbortController();
      const episodes = plan(settings.seed, faults, settings.min_s, settings.max_s);
      this.run = { controller, done: this.loop(episodes, controller.signal) };
      return this.snapshot();
    } finally {
      this.starting = false;
    }
  }

  /** Stops the plan and sets back every fault it switched on (a stack that does not answer is tried once more). */
  async stop(): Promise<SchedulerState> {
    const run = this.run;
    if (run) {
      run.controller.abort();
      await run.done;
    }
    for (let attempt = 0; attempt < 2 && this.applied.size > 0; attempt += 1) {
      for (const { fault, off } of [...this.applied.values()]) await this.apply(fault, off, 'revert');
    }
    if (run) {
      this.run = null;
      this.state.running = false;
      this.state.stopped_at = this.now().toISOString();
    }
    return this.snapshot();
  }

  private async loop(episodes: Generator<Episode>, signal: AbortSignal): Promise<void> {
    for (const episode of episodes) {
      if (signal.aborted) return;
      if (await this.apply(episode.fault, episode.fault.value, 'on')) {
        await this.sleep(episode.on_ms, signal);
        if (signal.aborted) return;
        await this.apply(episode.fault, this.offValue(episode.fault), 'off');
      }
      await this.sleep(episode.pause_ms, signal);
    }
  }

  /** One change on one stack, written in the history with the stack's refusal if any; true when the stack took it. */
  private async apply(
    fault: ScheduledFault,
    value: boolean | number | string,
    action: SchedulerEvent['action'],
  ): Promise<boolean> {
    let error: string | null = null;
    try {
      await this.stacks.setFaults(fault.stack, { [fault.name]: value });
    } catch (refusal) {
      error = refusal instanceof StackError ? (refusal.code ?? 'STACK_UNREACHABLE') : 'INTERNAL_ERROR';
    }
    const at = this.now().toISOString();
    this.state.history.push({ at, stack: fault.stack, fault: fault.name, value, action, error });
    if (this.state.history.length > HISTORY_LIMIT) this.state.history.shift();
    if (error) return false;
    this.state.active = this.state.active.filter((active) => key(active) !== key(fault));
    if (action === 'on') {
      this.applied.set(key(fault), { fault, off: this.offValue(fault) });
      this.state.active.push({ ...fault, since: at });
    } else this.applied.delete(key(fault));
    return true;
  }

  /** The catalog's default of a fault: what turns it off. */
  private offValue(fault: ScheduledFault): boolean | number | string {
    return this.defaults.get(key(fault)) ?? false;
  }
}
