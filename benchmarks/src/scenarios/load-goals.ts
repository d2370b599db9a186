import type autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import type { OrderBody } from '../client';
import { runLoad } from '../load';
import type { FloorResult, GoalResult, HttpCounts, LoadResult } from '../report';
import { type AcceptedOrder, type CheckoutRecord, orderMetrics, type StackRun, toSamples } from '../stack-run';
import { ratio, round } from '../stats';
import { goal } from './single';

/**
 * The part both autocannon scenarios (steady, throughput) share: drive the stack with the scenario's requests for
 * the duration, wait until every accepted order is final, and measure every order against the server's own truth,
 * with the accepted checkouts per second, their ratio to the bare POST floor of the same run, and the machine's CPU
 * per accepted checkout as a multiple of its CPU per floor POST.
 */
export async function loadAndSettle(
  run: StackRun,
  label: string,
  requests: autocannon.Request[],
  records: CheckoutRecord[],
  accepted: AcceptedOrder[],
  floor: FloorResult | null,
) {
  const { options } = run;
  run.progress('run', 0, options.durationSec, `${options.connections} connections: ${label}`);
  const cpu = run.cpu?.begin();
  const { load } = await runLoad({
    label: `${run.target} ${label}`,
    url: run.url,
    connections: options.connections,
    durationSec: options.durationSec,
    rate: options.rate,
    requests,
    signal: run.signal,
    onTick: (s) => run.progress('run', Math.min(s, options.durationSec), options.durationSec),
  });
  // The checkouts answered while the load ran; the work they leave behind (payment, email) runs until they are final.
  const acceptedInLoad = accepted.length;
  cpu?.addTo('window', acceptedInLoad, `the ${label} load, from its start until autocannon stopped`);
  const rows = await run.waitFinal(
    accepted.map((o) => o.id),
    run.settleTimeoutMs(accepted.length),
  );
  cpu?.addTo(
    'with_settle',
    acceptedInLoad,
    `the ${label} load and its settling, from the load's start until every checkout accepted during it was final`,
  );
  const samples = toSamples(records, rows);
  const metrics = orderMetrics(samples);
  metrics.load = load;
  metrics.accepted_checkouts_per_sec = round(accepted.length / load.duration_sec, 2) ?? 0;
  const acceptedRatio = ratio(metrics.accepted_checkouts_per_sec, floor?.post.achieved_rate);
  // The probe's figures so far: the load window was just added to it.
  const machineMs = run.cpu?.finish().window?.machine.ms_per_accepted_checkout;
  metrics.machine_cpu_per_checkout_to_floor = ratio(machineMs, floor?.post_cpu?.ms_per_request);
  return { load, rows, samples, metrics, acceptedRatio };
}

/** A checkout's answer as the load scenarios read it: the order, an error, or null when the body was no JSON. */
export type CheckoutAnswer = (OrderBody & { error?: { code: string } }) | null;

/**
 * The checkout request both autocannon scenarios send. `buyerOf` says which buyer of the connection's context checks
 * out and with which token. Every answer is recorded (when it was sent, its status, body and latency) and, when the
 * stack accepted the order, kept in `accepted` for the stock audit; then `onAnswer` sees it.
 */
export function checkoutRequest<Context extends object>(
  log: { t0: number; records: CheckoutRecord[]; accepted: AcceptedOrder[] },
  buyerOf: (context: Context) => { buyer: number; token: string | undefined },
  onAnswer?: (context: Context, answer: CheckoutAnswer) => void,
): autocannon.Request {
  type Sent = { sentAt?: number; buyer?: number };
  return {
    method: 'POST',
    path: '/api/orders/checkout',
    setupRequest: (req, context) => {
      const sent = context as Sent;
      sent.sentAt = performance.now();
      const { buyer, token } = buyerOf(context as Context);
      sent.buyer = buyer;
      return { ...req, headers: { authorization: `Bearer ${token}` } };
    },
    onResponse: (status, body, context) => {
      const sent = context as Sent;
      const latencyMs = performance.now() - (sent.sentAt ?? performance.now());
      let parsed: CheckoutAnswer = null;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = null;
      }
      log.records.push({
        buyer: sent.buyer ?? -1,
        repetition: 0,
        startedAtMs: (sent.sentAt ?? log.t0) - log.t0,
        response: { status, body: parsed as OrderBody, headers: {}, latencyMs },
      });
      if ((status === 201 || status === 202) && parsed) {
        log.accepted.push({
          id: parsed.id,
          items: (parsed.items ?? []).map((i) => ({ product_id: i.product_id, quantity: i.quantity })),
        });
      }
      onAnswer?.(context as Context, parsed);
    },
  };
}

/** The goal's limit: one accepted checkout may cost the machine at most this many bare Express POSTs' worth of CPU. */
export const MACHINE_CPU_PER_CHECKOUT_TO_FLOOR_LIMIT = 40;

/**
 * The goals the autocannon scenarios report: throughput's CPU cost of a microservices checkout (the machine's CPU
 * per accepted checkout over its CPU per bare POST, measured in the same run, so machines of any speed compare) and,
 * when a rate was asked for, the achieved share of it. Accepted checkouts/s stay a reported figure, not a goal: on a
 * small machine they say more about its cores than about the code.
 */
export function loadGoals(
  stack: string,
  options: { connections: number; rate?: number },
  cpuToFloor: number | null | undefined,
  load: LoadResult,
): GoalResult[] {
  const goals: GoalResult[] = [];
  if (stack === 'micro' && cpuToFloor !== undefined) {
    goals.push(
      goal(
        'micro_machine_cpu_per_checkout_to_floor',
        `microservices: the machine's CPU per accepted checkout at ${options.connections} connections / its CPU per bare Express POST (at most ${MACHINE_CPU_PER_CHECKOUT_TO_FLOOR_LIMIT})`,
        cpuToFloor,
        'ratio',
        '<=',
        MACHINE_CPU_PER_CHECKOUT_TO_FLOOR_LIMIT,
      ),
    );
  }
  if (options.rate !== undefined) {
    goals.push(
      goal(
        'achieved_rate',
        `achieved request rate / target rate of ${options.rate} req/s`,
        ratio(load.achieved_rate, options.rate),
        'ratio',
        '>=',
        0.9,
      ),
    );
  }
  return goals;
}

/** autocannon's answers plus those of the run's own client; the 5xx among them break the no_5xx invariant. */
export function loadCounts(load: LoadResult, clientCounts: { status_5xx: number }): HttpCounts {
  const fromLoad = Object.entries(load.by_status)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    total: load.total_requests,
    by_status: load.by_status,
    network_errors: load.errors,
    status_5xx: fromLoad + clientCounts.status_5xx,
  };
}
