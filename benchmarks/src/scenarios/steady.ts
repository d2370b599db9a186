import type autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { checkoutRequest, loadAndSettle, loadCounts, loadGoals } from './load-goals';
import type { FloorResult, GoalResult, TargetResult } from '../report';
import type { AcceptedOrder, CheckoutRecord, StackRun } from '../stack-run';

/** Share of the checkouts that go to the one hot (Black Friday) product. */
export const HOT_SHARE = 0.25;
/** Ordinary products the checkouts spread over, restocked so that they never run out during the run. */
const ORDINARY_PRODUCTS = 5;

/**
 * steady: C autocannon connections for D seconds. Each connection loops over one shopping trip:
 * list products, view one, add one to the cart, check out. A quarter of the carts hold the hot product, whose
 * small stock runs out early (409 or cancelled out_of_stock: expected answers, counted apart from errors).
 * Buyers are registered beforehand; a trip borrows a free buyer and gives it back when its checkout answers.
 */
export async function runSteady(run: StackRun, floor: FloorResult | null): Promise<TargetResult> {
  const { options } = run;
  await run.resetAndConfigure();
  const hot = run.hotProduct();
  await run.api.setStock(run.adminToken, hot.id, options.stock);
  const ordinary = run.ordinaryProducts().slice(0, ORDINARY_PRODUCTS);
  for (const p of ordinary) await run.api.setStock(run.adminToken, p.id, 1_000_000);
  await run.warmUp();
  const free = await run.asPreparation(() => run.prepareBuyers(options.connections * 2, 'steady'));
  const initialStock = await run.stockSnapshot();
  run.startMeasuring();

  const records: CheckoutRecord[] = [];
  const accepted: AcceptedOrder[] = [];
  let outOfStock = 0;
  let seq = 0;
  const t0 = performance.now();
  type Trip = { token?: string };
  const json = { 'content-type': 'application/json' };
  const requests: autocannon.Request[] = [
    { method: 'GET', path: '/api/products?limit=20' },
    {
      method: 'GET',
      setupRequest: (req) => ({ ...req, path: `/api/products/${pick(ordinary).id}` }),
    },
    {
      method: 'POST',
      path: '/api/cart/items',
      setupRequest: (req, context) => {
        const trip = context as Trip;
        const token = free.pop();
        // No free buyer (all are mid-trip): browse again instead; a falsy return restarts the trip.
        if (!token) return undefined as unknown as autocannon.Request;
        trip.token = token;
        const product = Math.random() < HOT_SHARE ? hot : pick(ordinary);
        return {
          ...req,
          headers: { ...json, authorization: `Bearer ${token}` },
          body: JSON.stringify({ product_id: product.id, quantity: 1 }),
        };
      },
    },
    checkoutRequest<Trip>(
      { t0, records, accepted },
      (trip) => ({ buyer: seq++, token: trip.token }),
      (trip, answer) => {
        if (trip.token) free.push(trip.token);
        if (answer?.error?.code === 'OUT_OF_STOCK') outOfStock += 1;
      },
    ),
  ];
  const { load, samples, metrics } = await loadAndSettle(run, 'steady', requests, records, accepted, floor);
  // The CPU goal is throughput's: here the checkouts share the machine with browsing.
  const goals: GoalResult[] = loadGoals(run.stack, options, undefined, load);
  // autocannon's answers and the client's own (settle polls, audit) count for the no_5xx invariant.
  const counts = loadCounts(load, run.client.counts);
  if (outOfStock)
    run.notes.push(`${outOfStock} checkouts answered 409 OUT_OF_STOCK (the hot product ran out, as intended)`);
  return run.finish({ records, initialStock, counts, metrics, goals, samples, afterLoad: true });
}

function pick<T>(items: T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}
