import { FAULT_CATALOG } from '@checkout-lab/contract';
import { type ChaosPlan, arrivalTimesMs, type PlannedFault, type PlannedKill } from '../chaos-plan';
import { ApiClient, type ApiResponse, FINAL_STATUSES, type LabOrder, type OrderBody, sleep } from '../client';
import type { ProcessControl } from '../lab';
import type { ChaosSchedule, ScheduledFault, ScheduledKill, ScheduledPattern, TargetResult } from '../report';
import { type CheckoutRecord, acceptedOrders, now, orderMetrics, type StackRun, toSamples } from '../stack-run';

/**
 * chaos: a rush like black-friday (N buyers of the one product, stock S), the buyers' checkouts spread over --duration
 * seconds at times drawn with --seed, while the schedule breaks the stack: faults on and off at their seconds
 * (PUT /api/lab/faults), processes killed with SIGKILL through the launcher's supervisor (which restarts them), and
 * reliability patterns off for the whole run (PUT /api/lab/patterns on the gateway). Then every fault is reverted,
 * the orders settle (dead letters are redriven once the faults are gone), and the one checker gives the verdict.
 * Every fault and pattern is put back at the end, also when the run fails or is cancelled.
 */

const EMPTY_PLAN: ChaosPlan = { faults: [], kills: [], patternsOff: [], seed: 1, expectViolations: false };
/** How long a fault change may wait for the process that takes it (one being restarted, say). */
const CHANGE_WAIT_MS = 20_000;
/** How long a killed process may take to run again, and then its queues to empty. */
const RESTART_WAIT_MS = 90_000;
const DRAIN_WAIT_MS = 120_000;
/** The last retry of a failed message (microservices/shared DEFAULT_RETRY_DELAYS_MS add up to 10.5 s), and a margin. */
const RETRY_HORIZON_MS = 15_000;

type PutOutcome = {
  outcome: 'ok' | 'not_applicable' | 'not_implemented' | 'failed';
  detail: string;
  /** The answer it was tried again after (a 5xx, no answer), when the first try did not do. */
  retriedAfter?: string;
};
type CheckoutResponse = ApiResponse<OrderBody & { error?: { code: string } }>;

const round3 = (v: number) => Math.round(v * 1000) / 1000;

function errorCode(response: ApiResponse | null): string | undefined {
  return (response?.body as { error?: { code?: string } } | null)?.error?.code;
}

/**
 * A change the stack confirmed late (a busy monolith answers its admin calls after the checkouts queued before them;
 * the gateway answers 5xx while a service it reads the faults back from is down): said in the report, or '' when it
 * was answered within 0.1 s. The change may have been in force from the ask on.
 */
function lateAnswer(what: 'on' | 'off', askedS: number, confirmedS: number, retriedAfter?: string): string {
  if (!retriedAfter && confirmedS - askedS < 0.1) return '';
  const why = retriedAfter ? `answered ${retriedAfter} before` : 'the stack was slow to answer';
  return `${what}: asked at ${askedS} s, confirmed at ${confirmedS} s (${why})`;
}

/** The admin calls of the schedule, on a client of their own with no abort signal: reverting must outlive a Ctrl-C. */
class LabSwitches {
  readonly client: ApiClient;

  constructor(
    private readonly run: StackRun,
    url: string,
  ) {
    this.client = new ApiClient(url);
  }

  /** PUT /api/lab/faults, waited through while the process that owns the fault is away (5xx, no answer). */
  async putFaults(body: Record<string, unknown>, signal?: AbortSignal): Promise<PutOutcome> {
    const deadline = Date.now() + CHANGE_WAIT_MS;
    let retriedAfter: string | undefined;
    for (;;) {
      let response: ApiResponse | null = null;
      let detail = '';
      try {
        response = await this.client.request('PUT', '/api/lab/faults', {
          token: this.run.adminToken,
          body,
          timeoutMs: 5000,
        });
      } catch (error) {
        detail = (error as Error).message;
      }
      const code = errorCode(response);
      if (response?.status === 200) return { outcome: 'ok', detail: '', retriedAfter };
      if (response?.status === 422 && code === 'FAULT_NOT_APPLICABLE') {
        return { outcome: 'not_applicable', detail: `not a fault of this stack (422 ${code}): skipped` };
      }
      if (response?.status === 422 && code === 'FAULT_NOT_IMPLEMENTED') {
        return { outcome: 'not_implemented', detail: `its effect is not built yet on this stack (422 ${code})` };
      }
      if (response) detail = `HTTP ${response.status} ${code ?? ''}`.trim();
      if ((response && response.status < 500 && response.status !== 429) || Date.now() > deadline) {
        return { outcome: 'failed', detail: `PUT /api/lab/faults answered ${detail}` };
      }
      retriedAfter = detail;
      await sleep(250, signal);
    }
  }

  /** POST /api/lab/faults/reset: every fault off; tried for a while, as a revert must be. */
  async resetFaults(): Promise<boolean> {
    const deadline = Date.now() + CHANGE_WAIT_MS;
    for (;;) {
      const response = await this.client
        .request('POST', '/api/lab/faults/reset', { token: this.run.adminToken, timeoutMs: 5000 })
        .catch(() => null);
      if (response?.status === 200) return true;
      if (Date.now() > deadline) return false;
      await sleep(250);
    }
  }

  async patterns(method: 'GET' | 'PUT', body?: Record<string, boolean>): Promise<ApiResponse> {
    return this.client.request(method, '/api/lab/patterns', { token: this.run.adminToken, body, timeoutMs: 5000 });
  }

  close(): void {
    this.client.close();
  }
}

/** Switches the patterns off for the run; what each became, and the values to put back. */
async function switchPatternsOff(
  run: StackRun,
  switches: LabSwitches,
  names: readonly string[],
): Promise<{ patterns: ScheduledPattern[]; restore: Record<string, boolean> | null }> {
  const each = (status: ScheduledPattern['status'], detail: string) =>
    names.map((name): ScheduledPattern => ({ name, value: false, status, detail }));
  if (names.length === 0) return { patterns: [], restore: null };
  const current = await switches.patterns('GET');
  if (current.status === 404) {
    return run.stack === 'monolith'
      ? {
          patterns: each('not_applicable', 'the monolith has no reliability pattern switches (404): skipped'),
          restore: null,
        }
      : {
          patterns: each(
            'not_built',
            'the gateway answered 404 on /api/lab/patterns (not built yet): the run went on with every pattern on',
          ),
          restore: null,
        };
  }
  if (current.status !== 200) {
    return { patterns: each('failed', `GET /api/lab/patterns answered ${current.status}`), restore: null };
  }
  const before = current.body as Record<string, boolean>;
  const off = Object.fromEntries(names.map((name) => [name, false]));
  const answer = await switches.patterns('PUT', off);
  if (answer.status !== 200) {
    const detail = `PUT /api/lab/patterns answered ${answer.status} ${errorCode(answer) ?? ''}`.trim();
    return { patterns: each('failed', detail), restore: null };
  }
  const restore = Object.fromEntries(names.map((name) => [name, before[name] ?? true]));
  return { patterns: each('applied', 'off for the whole run, put back after the verdict'), restore };
}

/** A checkout whose connection broke (the process behind it killed) is an answer of status 0 to the checker. */
async function checkoutOrBroken(run: StackRun, token: string): Promise<CheckoutResponse> {
  const started = now();
  try {
    return await run.api.checkout(token);
  } catch (error) {
    if (run.signal?.aborted) throw error;
    const body = { error: { code: 'NO_ANSWER', message: (error as Error).message } } as unknown as OrderBody;
    return { status: 0, body, headers: {}, latencyMs: now() - started };
  }
}

/** The stack a process of the table belongs to ('lab': the card provider, serving both). */
function belongsTo(run: StackRun, stack: string): boolean {
  return stack === 'lab' || stack === (run.stack === 'monolith' ? 'monolith' : 'microservices');
}

export async function runChaos(run: StackRun): Promise<TargetResult> {
  const { options } = run;
  const plan = options.chaos ?? EMPTY_PLAN;
  const control = run.hooks.processes ?? null;
  if (plan.kills.length > 0) {
    if (!control) {
      throw new Error(
        "--kill needs the lab's supervised processes: run with --start-lab, or against a lab started with npm start",
      );
    }
    const known = control.table().map((entry) => entry.name);
    const unknown = plan.kills.filter((kill) => !known.includes(kill.process)).map((kill) => kill.process);
    if (unknown.length) {
      throw new Error(`--kill: the lab runs no process named ${unknown.join(', ')} (it runs ${known.join(', ')})`);
    }
  }
  await run.resetAndConfigure();
  const hot = run.hotProduct();
  await run.warmUp();

  const switches = new LabSwitches(run, run.url);
  const faults: ScheduledFault[] = plan.faults.map((f) => ({
    name: f.name,
    value: f.value,
    from_s: f.fromS,
    to_s: f.toS,
    status: 'applied',
    applied_at_s: null,
    reverted_at_s: null,
    detail: '',
  }));
  /** The faults on now, to put back after a restarted process came up with its own at their defaults. */
  const active = new Map<string, PlannedFault['value']>();
  // Every fault change, one after the other: a fault put again after a restart must never land after its revert.
  let changes: Promise<unknown> = Promise.resolve();
  const serially = <T>(change: () => Promise<T>): Promise<T> => {
    const next = changes.then(change, change);
    changes = next.catch(() => {});
    return next;
  };
  let restorePatterns: Record<string, boolean> | null = null;
  let t0 = now();
  const at = () => round3((now() - t0) / 1000);
  const sleepUntil = async (ms: number) => {
    const wait = t0 + ms - now();
    if (wait > 0) await sleep(wait, run.signal);
  };
  let lastEvent = '';
  const event = (line: string) => {
    lastEvent = line;
    run.notes.push(line);
  };

  try {
    // Every fault off before anything is planned, whatever an earlier run left.
    await switches.resetFaults();
    const switched = await switchPatternsOff(run, switches, plan.patternsOff);
    restorePatterns = switched.restore;
    for (const p of switched.patterns.filter((x) => x.status !== 'applied')) {
      event(`pattern ${p.name}=off: ${p.detail}`);
    }

    await run.api.setStock(run.adminToken, hot.id, options.stock);
    const tokens = await run.asPreparation(() => run.prepareBuyers(options.buyers, 'chaos', hot.id));
    const initialStock = await run.stockSnapshot();
    run.startMeasuring();
    const arrivals = arrivalTimesMs(tokens.length, options.durationSec * 1000, plan.seed);

    // A change is in force from its answer: applied_at_s and reverted_at_s are when the stack said so.
    const apply = (f: PlannedFault, record: ScheduledFault) =>
      serially(async () => {
        const asked = Math.max(0, at());
        const put = await switches.putFaults({ [f.name]: f.value }, run.signal);
        if (put.outcome !== 'ok') {
          record.status = put.outcome;
          record.detail = put.detail;
          event(`fault ${f.name}=${String(f.value)}: ${put.detail}`);
          return false;
        }
        active.set(f.name, f.value);
        record.applied_at_s = Math.max(0, at());
        record.detail = lateAnswer('on', asked, record.applied_at_s, put.retriedAfter);
        event(`fault ${f.name}=${String(f.value)} on at ${record.applied_at_s} s`);
        return true;
      });
    const revert = (f: PlannedFault, record: ScheduledFault) =>
      serially(async () => {
        active.delete(f.name);
        const asked = at();
        const off = FAULT_CATALOG.find((spec) => spec.name === f.name)?.default;
        const put = await switches.putFaults({ [f.name]: off });
        record.reverted_at_s = at();
        if (put.outcome !== 'ok') record.detail = `reverting: ${put.detail}; every fault was reset after the rush`;
        else {
          const line = lateAnswer('off', asked, record.reverted_at_s, put.retriedAfter);
          record.detail = [record.detail, line].filter(Boolean).join('; ');
        }
        event(`fault ${f.name} off at ${record.reverted_at_s} s`);
      });
    // After a restart: the patterns off and the faults on now, again (a restarted process starts with every pattern
    // on and every fault off).
    const patternsOff = switched.patterns.filter((p) => p.status === 'applied').map((p) => p.name);
    const putAgain = (process: string) =>
      serially(async () => {
        if (patternsOff.length > 0) {
          const off = Object.fromEntries(patternsOff.map((name) => [name, false]));
          const answer = await switches.patterns('PUT', off).catch(() => null);
          event(
            `${patternsOff.join(', ')} off again after ${process}'s restart${answer?.status === 200 ? '' : `: PUT /api/lab/patterns answered ${answer?.status ?? 'nothing'}`}`,
          );
        }
        if (active.size === 0) return;
        const again = Object.fromEntries(active);
        const put = await switches.putFaults(again, run.signal);
        const names = Object.keys(again).join(', ');
        event(`${names} put on again after ${process}'s restart${put.outcome === 'ok' ? '' : `: ${put.detail}`}`);
      });

    // The faults from second 0 are on before the first checkout leaves.
    t0 = now();
    for (const [i, f] of plan.faults.entries()) if (f.fromS === 0) await apply(f, faults[i]);
    t0 = now();
    run.progress('run', 0, tokens.length, `${tokens.length} buyers over ${options.durationSec} s, seed ${plan.seed}`);

    const faultTasks = plan.faults.map(async (f, i) => {
      if (f.fromS > 0) {
        await sleepUntil(f.fromS * 1000);
        if (!(await apply(f, faults[i]))) return;
      } else if (faults[i].status !== 'applied') return;
      if (f.toS === null) return;
      await sleepUntil(f.toS * 1000);
      await revert(f, faults[i]);
    });
    // Awaited after the rush; a cancelled rush may never get there, and that rejection is not news.
    for (const task of faultTasks) task.catch(() => {});

    const kills = plan.kills.map((k) =>
      carryOutKill(run, control as ProcessControl, k, { at, sleepUntil, event, putAgain }),
    );

    let done = 0;
    const records: CheckoutRecord[] = await Promise.all(
      tokens.map(async (token, buyer) => {
        await sleepUntil(arrivals[buyer]);
        const startedAtMs = now() - t0;
        const response = await checkoutOrBroken(run, token);
        run.progress('run', ++done, tokens.length, lastEvent);
        return { buyer, repetition: 0, startedAtMs, response } satisfies CheckoutRecord;
      }),
    );
    await Promise.all(faultTasks);
    await Promise.all(kills.map((k) => k.restarted));
    // The rush is over: the whole-run faults go off, then every fault is reset, so the orders can settle.
    for (const [i, f] of plan.faults.entries()) if (active.has(f.name) && f.toS === null) await revert(f, faults[i]);
    await serially(() => switches.resetFaults());
    const rushS = at();

    const unanswered = records.filter((r) => r.response.status === 0).length;
    if (unanswered > 0) {
      run.notes.push(
        `${unanswered} checkouts got no answer (the connection was refused or broke while a process was down): errors to the checker, as a 5xx is`,
      );
    }
    const accepted = acceptedOrders(records);
    const { rows, redriven } = await settle(
      run,
      switches,
      accepted.map((o) => o.id),
    );
    run.progress('drain', 0, kills.length, "waiting for the killed services' queues to empty");
    const killed = await Promise.all(kills.map((k) => k.result));
    run.progress('drain', kills.length, kills.length);

    const samples = toSamples(records, rows);
    const metrics = orderMetrics(samples);
    const result = await run.finish({
      records,
      initialStock,
      counts: run.client.counts,
      metrics,
      goals: [],
      samples,
      faulty: true,
    });
    const problems = [
      ...faults
        .filter((f) => f.status === 'not_implemented' || f.status === 'failed')
        .map((f) => `fault ${f.name}=${String(f.value)}: ${f.detail}`),
      ...killed.filter((k) => k.status === 'failed').map((k) => `kill ${k.process}@${k.at_s}: ${k.detail}`),
      ...switched.patterns.filter((p) => p.status === 'failed').map((p) => `pattern ${p.name}=off: ${p.detail}`),
    ];
    const schedule: ChaosSchedule = {
      seed: plan.seed,
      arrival_window_s: options.durationSec,
      rush_s: rushS,
      faults,
      kills: killed,
      patterns: switched.patterns,
      redriven,
      judged: plan.expectViolations || patternsOff.length === 0,
      problems,
    };
    result.schedule = schedule;
    if (redriven > 0) {
      run.notes.push(`${redriven} dead letters redriven while the orders settled, after every fault was reverted`);
    }
    return result;
  } finally {
    // Everything back as it was, also after a failure or a Ctrl-C: every fault off, each pattern as it was.
    if (!(await switches.resetFaults())) run.notes.push('warning: POST /api/lab/faults/reset did not answer 200');
    if (restorePatterns) {
      const back = await switches.patterns('PUT', restorePatterns).catch(() => null);
      if (back?.status !== 200)
        run.notes.push('warning: the patterns could not be put back; check GET /api/lab/patterns');
    }
    switches.close();
  }
}

/**
 * Polls until every accepted order is final, bounded. On the microservices, the dead letters the faults left (emails
 * that failed through every retry while SMTP was down) are redriven, every fault being off by now, so their orders
 * finish as they would after an operator's redrive; the report counts them.
 */
async function settle(
  run: StackRun,
  switches: LabSwitches,
  ids: number[],
): Promise<{ rows: Map<number, LabOrder>; redriven: number }> {
  const deadline = Date.now() + run.settleTimeoutMs(ids.length) + RETRY_HORIZON_MS;
  let rows = new Map<number, LabOrder>();
  let redriven = 0;
  let lastRedrive = 0;
  for (;;) {
    try {
      rows = new Map((await run.api.labOrders(run.adminToken, run.since)).map((o) => [o.id, o]));
    } catch {
      // A process still coming back: read again.
    }
    const open = ids.filter((id) => !FINAL_STATUSES.has(rows.get(id)?.status ?? ''));
    run.progress('settle', ids.length - open.length, ids.length, `${open.length} orders not final yet`);
    if (open.length === 0 || Date.now() > deadline) return { rows, redriven };
    if (run.stack === 'micro' && Date.now() - lastRedrive > 2000) {
      lastRedrive = Date.now();
      const letters = await switches.client
        .request<unknown[]>('GET', '/api/lab/dead-letters', { token: run.adminToken })
        .catch(() => null);
      if (letters?.status === 200 && Array.isArray(letters.body) && letters.body.length > 0) {
        const answer = await switches.client
          .request<{ redriven: number }>('POST', '/api/lab/dead-letters/redrive', { token: run.adminToken, body: {} })
          .catch(() => null);
        if (answer?.status === 200) redriven += answer.body.redriven;
      }
    }
    await sleep(250, run.signal);
  }
}

interface KillContext {
  at: () => number;
  sleepUntil: (ms: number) => Promise<void>;
  event: (line: string) => void;
  putAgain: (process: string) => Promise<void>;
}

/**
 * One --kill: at its second, SIGKILL through the supervisor; then the wait until the supervisor has it running again
 * (`restarted`, which the rush waits for), and, for a microservice with queues, until they are empty again
 * (`result`). The faults on and the patterns off at that moment are put again once it is back (it starts with its own
 * faults off and patterns on).
 */
function carryOutKill(
  run: StackRun,
  control: ProcessControl,
  kill: PlannedKill,
  ctx: KillContext,
): { restarted: Promise<void>; result: Promise<ScheduledKill> } {
  const record: ScheduledKill = {
    process: kill.process,
    at_s: kill.atS,
    status: 'killed',
    killed_at_s: null,
    restarted_at_s: null,
    queues: [],
    peak_queue_depth: null,
    queue_empty_at_s: null,
    restart_to_queue_empty_ms: null,
    detail: '',
  };
  let restartedDone: () => void = () => {};
  const restarted = new Promise<void>((resolve) => {
    restartedDone = resolve;
  });
  const result = (async (): Promise<ScheduledKill> => {
    try {
      const entry = control.table().find((e) => e.name === kill.process);
      if (!entry || !belongsTo(run, entry.stack)) {
        record.status = 'not_of_this_stack';
        record.detail = `${kill.process} is a process of the ${entry?.stack ?? 'other'} stack`;
        ctx.event(`kill ${kill.process}@${kill.atS} skipped: ${record.detail}`);
        return record;
      }
      const { serviceQueueDepths, serviceQueues } = await import('@checkout-lab/stacks');
      const prefix = run.stack === 'micro' ? control.rabbitPrefix : null;
      record.queues = prefix === null ? [] : serviceQueues(kill.process, prefix);
      const depth = async (): Promise<number | null> => {
        if (!record.queues.length || prefix === null) return null;
        try {
          const depths = Object.values(await serviceQueueDepths(control.amqpUrl, kill.process, prefix));
          return depths.some((d) => d === null) ? null : depths.reduce<number>((sum, d) => sum + (d ?? 0), 0);
        } catch {
          return null;
        }
      };
      const peak = (d: number | null) => {
        if (d !== null) record.peak_queue_depth = Math.max(record.peak_queue_depth ?? 0, d);
      };

      await ctx.sleepUntil(kill.atS * 1000);
      const before = control.table().find((e) => e.name === kill.process)?.restarts ?? 0;
      if (!control.kill(kill.process)) {
        record.status = 'failed';
        record.detail = `${kill.process} was not running at ${ctx.at()} s`;
        return record;
      }
      record.killed_at_s = ctx.at();
      ctx.event(`${kill.process} killed (SIGKILL) at ${record.killed_at_s} s`);
      const restartDeadline = Date.now() + RESTART_WAIT_MS;
      for (;;) {
        const now = control.table().find((e) => e.name === kill.process);
        if (now && now.restarts > before && now.status === 'running') break;
        if (Date.now() > restartDeadline) {
          record.status = 'failed';
          record.detail = `${kill.process} was not running again within ${RESTART_WAIT_MS / 1000} s of its kill`;
          return record;
        }
        peak(await depth());
        await sleep(100, run.signal);
      }
      record.restarted_at_s = ctx.at();
      const downMs = Math.round((record.restarted_at_s - record.killed_at_s) * 1000);
      record.detail = `down ${downMs} ms`;
      ctx.event(`${kill.process} running again at ${record.restarted_at_s} s`);
      restartedDone();
      await ctx.putAgain(kill.process);
      if (!record.queues.length || prefix === null) return record;
      const drainDeadline = Date.now() + DRAIN_WAIT_MS;
      for (;;) {
        const d = await depth();
        peak(d);
        if (d === 0) break;
        if (Date.now() > drainDeadline) {
          record.detail += `; its queues were not empty within ${DRAIN_WAIT_MS / 1000} s of the restart`;
          return record;
        }
        await sleep(100, run.signal);
      }
      record.queue_empty_at_s = ctx.at();
      record.restart_to_queue_empty_ms = Math.round((record.queue_empty_at_s - record.restarted_at_s) * 1000);
      record.detail += `; its queues held ${record.peak_queue_depth ?? 0} messages at most, empty ${record.restart_to_queue_empty_ms} ms after the restart`;
      return record;
    } finally {
      restartedDone();
    }
  })();
  // Awaited after the settle; a cancelled run may never get there, and that rejection is not news.
  result.catch(() => {});
  return { restarted, result };
}
