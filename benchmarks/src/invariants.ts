import type { StackName } from './options';

/** GET /api/lab/audit (docs/conventions.md): the server-side truth the checker reads. */
export interface Audit {
  orders: { id: number; status: string; failure_reason: string | null; payments: number; emails: number }[];
  products: { id: number; name: string; stock: number }[];
}

/** An order the client saw accepted (2xx), with what it bought. */
export interface AcceptedOrder {
  id: number;
  items: { product_id: number; quantity: number }[];
}

export interface InvariantInput {
  stack: StackName;
  /** Orders the client saw accepted during the run. */
  accepted: AcceptedOrder[];
  /** Stock of every product right before the run, by product id. */
  initialStock: Record<number, number>;
  audit: Audit;
  /** Confirmation emails in the mail catcher for this stack, by order id; null when no catcher was read. */
  mailsByOrder: Record<string, number> | null;
  /** Responses with a 5xx status during the run. */
  status5xx: number;
}

export interface InvariantResult {
  name: string;
  ok: boolean;
  detail: string;
}

const FINAL = new Set(['confirmed', 'cancelled']);

function list(ids: (number | string)[], max = 8): string {
  return ids.length > max ? `${ids.slice(0, max).join(', ')} and ${ids.length - max} more` : ids.join(', ');
}

/**
 * The invariants every run must keep, whatever its speed: no oversell, no lost order, exactly-once payment and email,
 * no 5xx. Each check names what it found, so a failure reads as a bug report.
 */
export function checkInvariants(input: InvariantInput): InvariantResult[] {
  const results: InvariantResult[] = [];
  const auditById = new Map(input.audit.orders.map((o) => [o.id, o]));

  results.push({
    name: 'no_5xx',
    ok: input.status5xx === 0,
    detail: input.status5xx === 0 ? 'no 5xx answers' : `${input.status5xx} answers with a 5xx status`,
  });

  const negative = input.audit.products.filter((p) => p.stock < 0);
  results.push({
    name: 'stock_never_negative',
    ok: negative.length === 0,
    detail: negative.length
      ? `negative stock: ${negative.map((p) => `#${p.id} ${p.name} = ${p.stock}`).join('; ')}`
      : `all ${input.audit.products.length} products at or above zero`,
  });

  const lost = input.accepted.filter((o) => !auditById.has(o.id)).map((o) => o.id);
  results.push({
    name: 'no_lost_order',
    ok: lost.length === 0,
    detail: lost.length
      ? `${lost.length} accepted orders missing on the server: ${list(lost)}`
      : `all ${input.accepted.length} accepted orders recorded`,
  });

  const notFinal = input.accepted
    .map((o) => auditById.get(o.id))
    .filter((o): o is Audit['orders'][number] => o !== undefined && !FINAL.has(o.status));
  results.push({
    name: 'every_accepted_order_final',
    ok: notFinal.length === 0,
    detail: notFinal.length
      ? `${notFinal.length} accepted orders not final: ${list(notFinal.map((o) => `${o.id} (${o.status})`))}`
      : 'every accepted order is confirmed or cancelled',
  });

  if (input.stack === 'monolith') {
    // The monolith answers 201 only after the commit: an accepted order is a confirmed one.
    const unconfirmed = input.accepted
      .map((o) => auditById.get(o.id))
      .filter((o) => o !== undefined && o.status !== 'confirmed')
      .map((o) => o!.id);
    results.push({
      name: 'monolith_accepted_means_confirmed',
      ok: unconfirmed.length === 0,
      detail: unconfirmed.length ? `accepted but not confirmed: ${list(unconfirmed)}` : 'every 201 is confirmed',
    });
  }

  // No oversell and stock conservation, per product the accepted orders touched.
  const confirmedQty = new Map<number, number>();
  const touched = new Set<number>();
  for (const order of input.accepted) {
    for (const item of order.items) touched.add(item.product_id);
    if (auditById.get(order.id)?.status !== 'confirmed') continue;
    for (const item of order.items)
      confirmedQty.set(item.product_id, (confirmedQty.get(item.product_id) ?? 0) + item.quantity);
  }
  const productById = new Map(input.audit.products.map((p) => [p.id, p]));
  const oversold: string[] = [];
  const drift: string[] = [];
  for (const productId of touched) {
    const initial = input.initialStock[productId];
    if (initial === undefined) continue;
    const sold = confirmedQty.get(productId) ?? 0;
    if (sold > initial) oversold.push(`#${productId}: ${sold} confirmed of a stock of ${initial}`);
    const final = productById.get(productId)?.stock;
    if (final !== undefined && final !== initial - sold) {
      drift.push(`#${productId}: stock ${initial} - ${sold} confirmed should leave ${initial - sold}, found ${final}`);
    }
  }
  results.push({
    name: 'confirmed_within_stock',
    ok: oversold.length === 0,
    detail: oversold.length ? `oversold ${oversold.join('; ')}` : `no product sold beyond its stock`,
  });
  results.push({
    name: 'stock_conserved',
    ok: drift.length === 0,
    detail: drift.length
      ? drift.join('; ')
      : 'final stock = initial stock - confirmed quantity (cancelled orders released theirs)',
  });

  const paymentProblems: string[] = [];
  const emailProblems: string[] = [];
  for (const order of input.accepted) {
    const audited = auditById.get(order.id);
    if (!audited) continue;
    const wantOne = audited.status === 'confirmed';
    if (wantOne ? audited.payments !== 1 : audited.payments !== 0)
      paymentProblems.push(`${order.id} ${audited.status} with ${audited.payments} payments`);
    if (wantOne ? audited.emails !== 1 : audited.emails !== 0)
      emailProblems.push(`${order.id} ${audited.status} with ${audited.emails} emails recorded`);
    if (input.mailsByOrder) {
      const caught = input.mailsByOrder[String(order.id)] ?? 0;
      if (wantOne ? caught !== 1 : caught !== 0)
        emailProblems.push(`${order.id} ${audited.status} with ${caught} emails in the catcher`);
    }
  }
  results.push({
    name: 'one_payment_per_confirmed_order',
    ok: paymentProblems.length === 0,
    detail: paymentProblems.length
      ? list(paymentProblems)
      : 'exactly one payment per confirmed order, none kept for cancelled ones',
  });
  results.push({
    name: 'one_email_per_confirmed_order',
    ok: emailProblems.length === 0,
    detail: emailProblems.length
      ? list(emailProblems)
      : `exactly one confirmation email per confirmed order${input.mailsByOrder ? ' (audit and mail catcher)' : ' (audit)'}`,
  });
  return results;
}

/** Counts confirmation emails per order id for one stack, from mail subjects. */
export function countConfirmations(
  subjects: string[],
  stack: StackName,
  parse: (s: string) => { stack: string; orderId: string } | null,
): Record<string, number> {
  const want = stack === 'monolith' ? 'monolith' : 'microservices';
  const counts: Record<string, number> = {};
  for (const subject of subjects) {
    const parsed = parse(subject);
    if (parsed && parsed.stack === want) counts[parsed.orderId] = (counts[parsed.orderId] ?? 0) + 1;
  }
  return counts;
}
