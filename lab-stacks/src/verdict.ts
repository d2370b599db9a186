/**
 * The one checker of an order history, Jepsen-style: from what the buyers were answered (their history) and what the
 * stack says it did (its GET /api/lab/audit, the mail catcher's confirmations), it counts what went wrong, names the
 * order behind each count, and lists the invariants a run must keep. The tests, the benchmarks and the dashboard all
 * read their verdict here. Pure: the callers do the reading, this only counts, so it is tested on bad histories too.
 * The definitions are in docs/conventions.md, "The verdict".
 */
import { parseConfirmationSubject } from '@checkout-lab/kit';

export interface OrderItem {
  product_id: number;
  quantity: number;
}

/**
 * accepted: 201 or 202 with an order id; refused: a 4xx (OUT_OF_STOCK, CART_EMPTY...), a clear no;
 * error: a 5xx or a broken connection; timeout: no answer in time (or none read: a load generator that stopped).
 */
export type AttemptOutcome = 'accepted' | 'refused' | 'error' | 'timeout';

/** One checkout request as its buyer saw it. */
export interface CheckoutAttempt {
  /** Who sent it: anything stable per buyer (a user id, the benchmark's buyer number). */
  buyer: string;
  outcome: AttemptOutcome;
  /** The HTTP status, when there was an answer. */
  status?: number | null;
  idempotencyKey?: string | null;
  /** accepted: the id of the answer. error or timeout: the order the caller already matched to it, if any. */
  orderId?: number | null;
  /** What the order holds, for the stock count (from the answer or the shop). */
  items?: OrderItem[];
}

/** One order of GET /api/lab/audit (docs/conventions.md), with what the provider and the services' tables add. */
export interface AuditOrder {
  id: number;
  status: string;
  failure_reason: string | null;
  /** Succeeded payments the shop recorded for it. */
  payments: number;
  /** Confirmation emails the shop recorded as sent for it. */
  emails: number;
  /** Succeeded charges the payment provider holds for it; absent where there is no provider. */
  provider_charges?: number;
  /** Every payment the shop recorded for it, declined ones too (the services' own tables; not in the HTTP audit). */
  payment_records?: number;
}

export interface OrphanCharge {
  provider_charge_id: string | number;
  order_ref: string | number | null;
  amount: string | number;
}

/** The stack's truth: GET /api/lab/audit, or the same read from the services' databases. */
export interface AuditTruth {
  orders: AuditOrder[];
  products?: { id: number; name: string; stock: number }[];
  /** Charges held at the provider for no order the shop kept; absent where there is no provider. */
  orphan_charges?: OrphanCharge[];
}

export interface HistoryInput {
  /** Every checkout attempt of the run, in any order. */
  attempts: CheckoutAttempt[];
  /**
   * What a buyer who saw an error or a timeout finds afterwards in its own order list (GET /api/orders), by buyer:
   * how such an attempt is matched to an order when no key or id did.
   */
  buyerOrders?: Record<string, { id: number; items?: OrderItem[] }[]>;
  audit: AuditTruth;
  /** The order id of every confirmation mail the catcher holds for this stack (one entry per mail); null: not read. */
  mails: number[] | null;
  /**
   * Stock before the run of each product to check, by id; the audit's products give the stock now. Pass only the
   * products the run may change: another client's orders change the others.
   */
  initialStock?: Record<number, number>;
  /** 5xx answers the run's client saw (preparation included); the no_5xx invariant is listed only when given. */
  status5xx?: number;
}

export const VERDICT_COUNTS = [
  'accepted',
  'final',
  'lost',
  'stuck',
  'duplicated_charges',
  'duplicated_emails',
  'unexpected',
  'orphan_charges',
  'recovered',
  'stock_drift',
] as const;
export type VerdictCount = (typeof VERDICT_COUNTS)[number];

/** The counts of a run, integers, under the names report.json carries (docs/api.md, "Benchmarks"). */
export type Verdict = Record<VerdictCount, number>;

/** The counts that fail a run when they are not zero; orphan_charges and recovered are reported, never failing. */
export const FAILING_COUNTS = [
  'lost',
  'stuck',
  'duplicated_charges',
  'duplicated_emails',
  'unexpected',
  'stock_drift',
] as const satisfies readonly VerdictCount[];

/** The counts that have ids: every count but accepted and final (those are the run's orders themselves). */
export type ProblemCount = Exclude<VerdictCount, 'accepted' | 'final'>;

/**
 * What lies behind each count: order ids, but product ids for stock_drift and the provider's charge ids for
 * orphan_charges. Each count is the length of its list.
 */
export type VerdictIds = Record<ProblemCount, (number | string)[]>;

/** The invariants a run must keep, in the order report.md lists them (docs/conventions.md, "The verdict"). */
export const INVARIANTS = [
  'no_5xx',
  'stock_never_negative',
  'no_lost_order',
  'every_accepted_order_final',
  'monolith_accepted_means_confirmed',
  'confirmed_within_stock',
  'stock_conserved',
  'one_payment_per_confirmed_order',
  'one_email_per_confirmed_order',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export interface InvariantResult {
  name: InvariantName;
  ok: boolean;
  detail: string;
}

/** One thing found wrong (or recovered): the count it adds to, the invariant it breaks, what it is about. */
export interface Finding {
  count: ProblemCount;
  /** null: reported, breaks no invariant (orphan_charges, recovered). */
  invariant: InvariantName | null;
  id: number | string;
  detail: string;
}

export interface HistoryCheck {
  verdict: Verdict;
  ids: VerdictIds;
  findings: Finding[];
  invariants: InvariantResult[];
  /** Every invariant held. */
  ok: boolean;
}

const FINAL = new Set(['confirmed', 'cancelled']);
const FAILED = new Set<AttemptOutcome>(['error', 'timeout']);

/** What each invariant says when it holds. */
const HOLDS: Record<InvariantName, string> = {
  no_5xx: 'no 5xx answers',
  stock_never_negative: 'every product at or above zero',
  no_lost_order: 'every accepted order recorded',
  every_accepted_order_final: 'every accepted order is confirmed or cancelled',
  monolith_accepted_means_confirmed: 'every 201 is confirmed',
  confirmed_within_stock: 'no product sold beyond its stock',
  stock_conserved: 'final stock = initial stock - confirmed quantity (cancelled orders released theirs)',
  one_payment_per_confirmed_order: 'exactly one payment per confirmed order, none kept for cancelled ones',
  one_email_per_confirmed_order: 'exactly one confirmation email per confirmed order, none for cancelled ones',
};

function list(items: string[], max = 8): string {
  return items.length > max ? `${items.slice(0, max).join('; ')} and ${items.length - max} more` : items.join('; ');
}

function countBy(ids: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/**
 * The orders behind the failed attempts: an id the caller matched; else the order the same buyer was given for the
 * same Idempotency-Key; else the orders in the buyer's own list it was never told were accepted.
 */
function recoveredOrders(input: HistoryInput, exists: (id: number) => boolean): number[] {
  const acceptedBy = new Map<string, Set<number>>();
  const acceptedByKey = new Map<string, number>();
  for (const a of input.attempts) {
    if (a.outcome !== 'accepted' || a.orderId == null) continue;
    acceptedBy.set(a.buyer, (acceptedBy.get(a.buyer) ?? new Set()).add(a.orderId));
    if (a.idempotencyKey) acceptedByKey.set(`${a.buyer}\n${a.idempotencyKey}`, a.orderId);
  }
  const found = new Set<number>();
  for (const a of input.attempts.filter((attempt) => FAILED.has(attempt.outcome))) {
    const byKey = a.idempotencyKey ? acceptedByKey.get(`${a.buyer}\n${a.idempotencyKey}`) : undefined;
    const matched = a.orderId ?? byKey;
    if (matched != null) {
      if (exists(matched)) found.add(matched);
      continue;
    }
    const told = acceptedBy.get(a.buyer) ?? new Set<number>();
    for (const order of input.buyerOrders?.[a.buyer] ?? []) if (!told.has(order.id)) found.add(order.id);
  }
  return [...found].sort((x, y) => x - y);
}

/** The verdict of one stack's run. */
export function checkHistory(input: HistoryInput): HistoryCheck {
  const { audit } = input;
  const findings: Finding[] = [];
  const add = (count: ProblemCount, invariant: InvariantName | null, id: number | string, detail: string) =>
    findings.push({ count, invariant, id, detail });
  const byId = new Map(audit.orders.map((order) => [order.id, order]));
  const buyerListed = new Set(Object.values(input.buyerOrders ?? {}).flatMap((orders) => orders.map((o) => o.id)));

  const accepted = [
    ...new Set(input.attempts.filter((a) => a.outcome === 'accepted' && a.orderId != null).map((a) => a.orderId!)),
  ];
  const answered201 = new Set(
    input.attempts.filter((a) => a.outcome === 'accepted' && a.status === 201).map((a) => a.orderId!),
  );
  const recovered = recoveredOrders(input, (id) => byId.has(id) || buyerListed.has(id));
  for (const id of recovered) add('recovered', null, id, `order ${id}: the buyer saw an error or a timeout`);

  for (const id of accepted) if (!byId.has(id)) add('lost', 'no_lost_order', id, `order ${id} missing on the server`);

  // The run's orders: the accepted ones and the recovered ones, as the shop has them.
  const runOrders = [...new Set([...accepted, ...recovered])]
    .map((id) => byId.get(id))
    .filter((order): order is AuditOrder => order !== undefined);
  const mails = input.mails === null ? null : countBy(input.mails);
  for (const order of runOrders) {
    const { id, status } = order;
    if (!FINAL.has(status)) add('stuck', 'every_accepted_order_final', id, `${id} (${status})`);
    if (answered201.has(id) && status !== 'confirmed') {
      add('unexpected', 'monolith_accepted_means_confirmed', id, `${id} answered 201 but ${status}`);
    }
    checkCharges(order, add);
    checkEmails(order, mails?.get(id) ?? (mails ? 0 : null), add);
  }

  for (const charge of audit.orphan_charges ?? []) {
    const detail = `charge ${charge.provider_charge_id} of ${charge.amount} for ${charge.order_ref ?? 'no order'}`;
    add('orphan_charges', null, charge.provider_charge_id, detail);
  }
  checkStock(input, runOrders, add);

  const ids = Object.fromEntries(
    VERDICT_COUNTS.filter((c) => c !== 'accepted' && c !== 'final').map((c) => [c, [] as (number | string)[]]),
  ) as VerdictIds;
  for (const f of findings) if (!ids[f.count].includes(f.id)) ids[f.count].push(f.id);
  const verdict = {
    accepted: accepted.length,
    final: accepted.filter((id) => FINAL.has(byId.get(id)?.status ?? '')).length,
    ...Object.fromEntries(Object.entries(ids).map(([count, list]) => [count, list.length])),
  } as Verdict;

  const invariants = INVARIANTS.filter(
    (name) =>
      (name !== 'no_5xx' || input.status5xx !== undefined) &&
      (name !== 'monolith_accepted_means_confirmed' || answered201.size > 0),
  ).map((name): InvariantResult => {
    if (name === 'no_5xx') {
      const n = input.status5xx ?? 0;
      return { name, ok: n === 0, detail: n === 0 ? HOLDS[name] : `${n} answers with a 5xx status` };
    }
    const broken = findings.filter((f) => f.invariant === name).map((f) => f.detail);
    if (broken.length) return { name, ok: false, detail: list(broken) };
    const read = input.mails === null ? " (the shop's records)" : " (the shop's records and the mail catcher)";
    return { name, ok: true, detail: `${HOLDS[name]}${name === 'one_email_per_confirmed_order' ? read : ''}` };
  });
  return { verdict, ids, findings, invariants, ok: invariants.every((i) => i.ok) };
}

type Add = (count: ProblemCount, invariant: InvariantName | null, id: number, detail: string) => void;

/** One succeeded charge per confirmed order, at the shop and at the provider; none kept for a cancelled one. */
function checkCharges(order: AuditOrder, add: Add): void {
  const { id, status, payments, provider_charges: atProvider, payment_records: records } = order;
  const name = 'one_payment_per_confirmed_order';
  if (payments > 1) add('duplicated_charges', name, id, `${id} ${status} with ${payments} payments`);
  if (atProvider !== undefined && atProvider > 1) {
    add('duplicated_charges', name, id, `${id} ${status} with ${atProvider} charges at the provider`);
  }
  if (records !== undefined && records > 1 && payments <= 1) {
    add('duplicated_charges', name, id, `${id} ${status} with ${records} payment records`);
  }
  if (status === 'confirmed') {
    if (payments === 0) add('unexpected', name, id, `${id} confirmed with no payment`);
    if (atProvider === 0) add('unexpected', name, id, `${id} confirmed with no charge at the provider`);
  }
  if (status === 'cancelled') {
    if (payments > 0) add('unexpected', name, id, `${id} cancelled but ${payments} payments kept`);
    if (atProvider !== undefined && atProvider > 0) {
      add('unexpected', name, id, `${id} cancelled but ${atProvider} charges held at the provider`);
    }
    if (order.failure_reason === 'payment_declined' && records === 0) {
      add('unexpected', name, id, `${id} declined with no payment recorded`);
    }
  }
}

/** One confirmation per confirmed order, in the shop's records and in the catcher; none for a cancelled one. */
function checkEmails(order: AuditOrder, caught: number | null, add: Add): void {
  const { id, status, emails } = order;
  const name = 'one_email_per_confirmed_order';
  if (emails > 1) add('duplicated_emails', name, id, `${id} ${status} with ${emails} emails recorded`);
  if (caught !== null && caught > 1) add('duplicated_emails', name, id, `${id} ${status} with ${caught} mails caught`);
  if (status === 'confirmed') {
    if (emails === 0) add('unexpected', name, id, `${id} confirmed with no email recorded`);
    if (caught === 0) add('unexpected', name, id, `${id} confirmed with no mail in the catcher`);
  }
  if (status === 'cancelled' && (emails > 0 || (caught ?? 0) > 0)) {
    add('unexpected', name, id, `${id} cancelled but emailed (${emails} recorded, ${caught ?? 'unread'} caught)`);
  }
}

/**
 * Per product of initialStock: initial - units in confirmed orders = stock now, and no more confirmed than there was;
 * every product of the audit at or above zero. One stock_drift per product that breaks any of them.
 */
function checkStock(input: HistoryInput, runOrders: AuditOrder[], add: Add): void {
  const items = new Map<number, OrderItem[]>();
  for (const a of input.attempts) if (a.orderId != null && a.items) items.set(a.orderId, a.items);
  for (const order of Object.values(input.buyerOrders ?? {}).flat()) {
    if (order.items && !items.has(order.id)) items.set(order.id, order.items);
  }
  const confirmed = new Map<number, number>();
  for (const order of runOrders.filter((o) => o.status === 'confirmed')) {
    for (const item of items.get(order.id) ?? []) {
      confirmed.set(item.product_id, (confirmed.get(item.product_id) ?? 0) + item.quantity);
    }
  }
  const products = input.audit.products ?? [];
  for (const product of products.filter((p) => p.stock < 0)) {
    add('stock_drift', 'stock_never_negative', product.id, `#${product.id} ${product.name} = ${product.stock}`);
  }
  const now = new Map(products.map((p) => [p.id, p.stock]));
  for (const [key, initial] of Object.entries(input.initialStock ?? {})) {
    const id = Number(key);
    const sold = confirmed.get(id) ?? 0;
    if (sold > initial) {
      add('stock_drift', 'confirmed_within_stock', id, `#${id}: ${sold} confirmed of a stock of ${initial}`);
    }
    const stock = now.get(id);
    if (stock !== undefined && stock !== initial - sold) {
      const detail = `#${id}: stock ${initial} - ${sold} confirmed should leave ${initial - sold}, found ${stock}`;
      add('stock_drift', 'stock_conserved', id, detail);
    }
  }
}

/** The counts of a verdict that fail a run (FAILING_COUNTS), as `name=N`; empty when the verdict is clean. */
export function failingCounts(verdict: Verdict): string[] {
  return FAILING_COUNTS.filter((count) => verdict[count] > 0).map((count) => `${count}=${verdict[count]}`);
}

/** The order ids of this stack's confirmation mails, one per mail, from the catcher's subjects. */
export function confirmedOrderIds(subjects: string[], stack: 'monolith' | 'microservices'): number[] {
  return subjects
    .map(parseConfirmationSubject)
    .filter((parsed) => parsed?.stack === stack)
    .map((parsed) => Number(parsed?.orderId));
}
