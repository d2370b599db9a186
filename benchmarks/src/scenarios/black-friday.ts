import { throwIfAborted } from '../client';
import { lockWaitProbe } from '../lock-wait';
import type { GoalResult, LockWaitResult, OrderSample, TargetResult } from '../report';
import { round } from '../stats';
import { type CheckoutRecord, acceptedOrders, now, orderMetrics, type StackRun, toSamples } from '../stack-run';
import { goal } from './single';

/**
 * black-friday: N buyers of the one Black Friday product, stock S, all at once. Every buyer is prepared first
 * (registered, logged in, the product in the cart); then every checkout is fired in the same tick.
 * The monolith queues them behind one row lock: buyer k waits about k x (payment + email) - the staircase.
 * The microservices accept them all at once and settle them in the background - the flat line.
 */
export async function runBlackFriday(run: StackRun): Promise<TargetResult> {
  const { options } = run;
  await run.resetAndConfigure();
  const hot = run.hotProduct();
  await run.warmUp();

  const records: CheckoutRecord[] = [];
  const initialStock: Record<number, number> = {};
  const accepted: ReturnType<typeof acceptedOrders> = [];
  // The longest lock wait on the hot product, sampled from pg_stat_activity through every rush.
  const locks = await lockWaitProbe(run.stack, run.url, options.databaseUrl ?? process.env.DATABASE_URL);
  let lockWait: LockWaitResult;
  try {
    for (let rep = 0; rep < options.repeat; rep++) {
      throwIfAborted(run.signal);
      // Each repetition is a fresh rush on a restocked product; what the restock added counts as initial stock.
      const leftOver = rep === 0 ? 0 : (await run.stockSnapshot())[hot.id];
      await run.api.setStock(run.adminToken, hot.id, options.stock);
      const tokens = await run.asPreparation(() => run.prepareBuyers(options.buyers, `bf-${rep}`, hot.id));
      const before = await run.stockSnapshot();
      if (rep === 0) Object.assign(initialStock, before);
      else initialStock[hot.id] += before[hot.id] - leftOver;
      if (rep === 0) run.startMeasuring();
      if (rep === 0) locks.start();

      run.progress('run', 0, tokens.length, `${tokens.length} buyers check out at once`);
      let done = 0;
      const cpu = run.cpu?.begin();
      const t0 = now();
      const rush = await Promise.all(
        tokens.map(async (token, buyer) => {
          const startedAtMs = now() - t0;
          const response = await run.api.checkout(token);
          run.progress('run', ++done, tokens.length);
          return { buyer, repetition: rep, startedAtMs, response } satisfies CheckoutRecord;
        }),
      );
      records.push(...rush);
      const repAccepted = acceptedOrders(rush);
      accepted.push(...repAccepted);
      // Settle this rush before the next one (and before the audit), so repetitions never overlap.
      await run.waitFinal(
        repAccepted.map((o) => o.id),
        run.settleTimeoutMs(repAccepted.length),
      );
      cpu?.addTo(
        'window',
        repAccepted.length,
        "each rush, from its first checkout until every order it got accepted was final (the buyers' preparation left out)",
      );
    }
  } finally {
    lockWait = await locks.stop();
  }
  const rows = await run.waitFinal(
    accepted.map((o) => o.id),
    5_000,
  );
  const samples = toSamples(records, rows);
  const metrics = orderMetrics(samples);
  const delays = run.knobs.payment_delay_ms + run.knobs.email_delay_ms;
  const perRep = (pick: (s: OrderSample) => number | null) =>
    Math.max(...samples.map(pick).filter((v): v is number => v !== null), Number.NEGATIVE_INFINITY);
  const lastAccept = perRep((s) => (s.accepted ? s.started_at_ms + s.client_latency_ms : null));
  const lastFinal = perRep((s) =>
    s.accepted && s.completion_duration_ms !== null ? s.started_at_ms + s.completion_duration_ms : null,
  );
  metrics.last_accept_ms = Number.isFinite(lastAccept) ? round(lastAccept) : null;
  metrics.last_final_ms = Number.isFinite(lastFinal) ? round(lastFinal) : null;

  const goals: GoalResult[] = [];
  if (run.target === 'monolith') {
    // Only the buyers who got through paid the two delays; the refused ones waited their turn at the lock and left.
    const confirmedPerRep = metrics.confirmed / options.repeat;
    const slowest = perRep((s) => s.client_latency_ms);
    metrics.rush_ratio = confirmedPerRep > 0 && delays > 0 ? round(slowest / (confirmedPerRep * delays), 4) : null;
    goals.push(
      goal(
        'monolith_rush_fidelity',
        `monolith: slowest buyer's wait / (confirmed buyers x ${delays} ms of delays) (about 1, within 10 %)`,
        metrics.rush_ratio,
        'ratio',
        'within',
        0.1,
      ),
    );
  } else if (run.target === 'micro') {
    goals.push(
      goal(
        'micro_all_accepted_within_1s',
        'microservices: the last checkout answered, ms after the rush began (within 1 s)',
        metrics.last_accept_ms,
        'ms',
        '<=',
        1000,
      ),
      goal(
        'micro_all_final_within_3s',
        'microservices: the last order final (client start + server completion), ms after the rush began (within 3 s)',
        metrics.last_final_ms,
        'ms',
        '<=',
        3000,
      ),
    );
  }
  // monolith-fixed: its goals compare it with the other targets of the run (three-way-goals.ts, added by the engine).
  const result = await run.finish({ records, initialStock, counts: run.client.counts, metrics, goals, samples });
  result.lock_wait = lockWait;
  return result;
}
