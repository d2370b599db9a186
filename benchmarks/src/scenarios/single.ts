import { throwIfAborted } from '../client';
import type { GoalResult, TargetResult } from '../report';
import { percentile, round, summarize } from '../stats';
import { type CheckoutRecord, acceptedOrders, now, orderMetrics, type StackRun, toSamples } from '../stack-run';

/**
 * single: one buyer at a time. Each checkout is placed after an add-to-cart and, on the microservices, polled to its
 * final status before the next begins, so nothing queues behind anything: the two clocks of one order, undisturbed.
 * - what the buyer waited: the client's latency and the server's processing_duration_ms;
 * - when the order was final: completion_duration_ms.
 */
export async function runSingle(run: StackRun): Promise<TargetResult> {
  const { options } = run;
  await run.resetAndConfigure();
  // One ordinary product with room for every checkout, so no run ends out of stock.
  const product = run.ordinaryProducts()[0];
  await run.api.setStock(run.adminToken, product.id, options.buyers * options.repeat + 10);
  await run.warmUp();
  const initialStock = await run.stockSnapshot();
  run.startMeasuring();

  const records: CheckoutRecord[] = [];
  const total = options.buyers * options.repeat;
  const t0 = now();
  for (let rep = 0; rep < options.repeat; rep++) {
    for (let i = 0; i < options.buyers; i++) {
      throwIfAborted(run.signal);
      // Registration is preparation: its answers are kept out of the measured counts.
      const [token] = await run.asPreparation(() => run.prepareBuyers(1, `single-${rep}-${i}`, product.id, true));
      const startedAtMs = now() - t0;
      const response = await run.api.checkout(token);
      records.push({ buyer: i, repetition: rep, startedAtMs, response });
      if (response.status === 202) await pollOrder(run, token, response.body.id);
      run.progress('run', records.length, total, `checkout ${records.length} of ${total}`);
    }
  }

  const accepted = acceptedOrders(records);
  const rows = await run.waitFinal(
    accepted.map((o) => o.id),
    run.settleTimeoutMs(accepted.length),
  );
  const samples = toSamples(records, rows);
  const metrics = orderMetrics(samples);
  const delays = run.knobs.payment_delay_ms + run.knobs.email_delay_ms;
  const goals: GoalResult[] = [];
  if (run.stack === 'monolith') {
    const overheads = samples
      .filter((s) => s.accepted && s.processing_duration_ms !== null)
      .map((s) => (s.processing_duration_ms as number) - delays);
    metrics.overhead_ms = summarize(overheads);
    goals.push(
      goal(
        'monolith_overhead_p50',
        'monolith: processing_duration_ms minus the configured delays, p50 (at most 50 ms)',
        round(percentile(overheads, 50)),
        'ms',
        '<=',
        50,
      ),
    );
  } else {
    goals.push(
      goal(
        'micro_accept_p50',
        'microservices: accept latency through the gateway (client clock), p50 (at most 5 ms)',
        metrics.client_latency_ms.p50,
        'ms',
        '<=',
        5,
      ),
      goal(
        'micro_accept_p99',
        'microservices: accept latency through the gateway (client clock), p99 (at most 20 ms)',
        metrics.client_latency_ms.p99,
        'ms',
        '<=',
        20,
      ),
    );
  }
  return run.finish({ records, initialStock, counts: run.client.counts, metrics, goals, samples });
}

/** Polls one order as its buyer until it is final (the 202-and-poll a real client does). */
async function pollOrder(run: StackRun, token: string, id: number): Promise<void> {
  const deadline = Date.now() + run.settleTimeoutMs(1);
  for (;;) {
    const order = await run.api.order(token, id);
    if (order.status === 'confirmed' || order.status === 'cancelled' || Date.now() > deadline) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
    throwIfAborted(run.signal);
  }
}

export function goal(
  name: string,
  description: string,
  value: number | null,
  unit: string,
  comparator: GoalResult['comparator'],
  limit: number,
): GoalResult {
  let passed: boolean | null = null;
  if (value !== null) {
    if (comparator === '<=') passed = value <= limit;
    else if (comparator === '>=') passed = value >= limit;
    else passed = Math.abs(value - 1) <= limit;
  }
  return { name, description, value, unit, comparator, limit, passed };
}
