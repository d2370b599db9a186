import type autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { checkoutRequest, loadAndSettle, loadCounts, loadGoals } from './load-goals';
import type { FloorResult, GoalResult, TargetResult } from '../report';
import type { AcceptedOrder, CheckoutRecord, StackRun } from '../stack-run';

/**
 * throughput: what a checkout costs under load. Accepted checkouts per second at the chosen connections (and as a
 * ratio to a bare Express POST handler measured in the same run), and the goal: the machine's CPU per accepted
 * checkout as a multiple of its CPU per bare POST. One buyer per connection, registered beforehand; each connection
 * loops over add-to-cart then checkout for its own buyer, on one ordinary product restocked high so that it never
 * runs out. Only 201/202 checkout answers count. No browsing, no hot product: nothing but the checkout path.
 */
export async function runThroughput(run: StackRun, floor: FloorResult | null): Promise<TargetResult> {
  const { options } = run;
  await run.resetAndConfigure();
  const product = run.ordinaryProducts()[0];
  await run.api.setStock(run.adminToken, product.id, 1_000_000);
  await run.warmUp();
  const tokens = await run.asPreparation(() => run.prepareBuyers(options.connections, 'throughput'));
  const initialStock = await run.stockSnapshot();
  run.startMeasuring();

  const records: CheckoutRecord[] = [];
  const accepted: AcceptedOrder[] = [];
  let nextBuyer = 0;
  const t0 = performance.now();
  /** autocannon's context is per connection: each connection keeps its own buyer for the whole run. */
  type Conn = { buyer?: number };
  const buyerOf = (context: Conn) => {
    if (context.buyer === undefined) context.buyer = nextBuyer++ % tokens.length;
    return context.buyer;
  };
  const requests: autocannon.Request[] = [
    {
      method: 'POST',
      path: '/api/cart/items',
      setupRequest: (req, context) => ({
        ...req,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[buyerOf(context as Conn)]}` },
        body: JSON.stringify({ product_id: product.id, quantity: 1 }),
      }),
    },
    checkoutRequest<Conn>({ t0, records, accepted }, (conn) => {
      const buyer = buyerOf(conn);
      return { buyer, token: tokens[buyer] };
    }),
  ];
  const { load, samples, metrics, acceptedRatio } = await loadAndSettle(
    run,
    'add-to-cart + checkout',
    requests,
    records,
    accepted,
    floor,
  );
  metrics.accepted_checkouts_to_floor = acceptedRatio;
  const goals: GoalResult[] = loadGoals(run.stack, options, metrics.machine_cpu_per_checkout_to_floor ?? null, load);
  // autocannon's answers and the client's own (settle polls, audit) count for the no_5xx invariant.
  const counts = loadCounts(load, run.client.counts);
  const refused = records.length - accepted.length;
  if (refused) {
    const codes: Record<string, number> = {};
    for (const r of records)
      if (r.response.status !== 201 && r.response.status !== 202) {
        const code = `${r.response.status} ${r.response.body?.error?.code ?? ''}`.trim();
        codes[code] = (codes[code] ?? 0) + 1;
      }
    run.notes.push(
      `${refused} checkouts were not accepted (${Object.entries(codes)
        .map(([c, n]) => `${c}: ${n}`)
        .join(', ')})`,
    );
  }
  return run.finish({ records, initialStock, counts, metrics, goals, samples, afterLoad: true });
}
