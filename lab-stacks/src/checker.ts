/**
 * A Jepsen-style checker for the saga's effects: given what the services recorded (and what the mail catcher caught),
 * it counts the orders that lost an effect and the effects that happened twice. Pure, so it is tested on bad
 * histories too.
 */
export interface OrderOutcome {
  id: number;
  status: string;
  failure_reason: string | null;
}
export interface PaymentRecord {
  order_id: number;
  status: string;
  count: number;
}
export interface EmailRecord {
  order_id: number;
  count: number;
}

export interface History {
  /** Every order id the client got a 202 for. */
  accepted: number[];
  orders: OrderOutcome[];
  payments: PaymentRecord[];
  /** Sends recorded by email-service. */
  emails: EmailRecord[];
  /** Order ids of the confirmation mails the catcher received (one entry per mail). */
  mails: number[];
}

export interface Verdict {
  /** Accepted orders the order database does not have. */
  lostOrders: number[];
  /** Orders not in a final status. */
  unfinished: number[];
  /** Confirmed orders with no succeeded payment, or no email; paid effects of an order that did not get them. */
  lostEffects: { order_id: number; missing: string }[];
  /** Effects recorded more than once for one order. */
  duplicated: { order_id: number; effect: string; count: number }[];
  /** Effects that contradict the final status (a confirmation mail for a cancelled order...). */
  inconsistent: { order_id: number; problem: string }[];
  lost: number;
  duplicates: number;
  ok: boolean;
}

const FINAL = new Set(['confirmed', 'cancelled']);

export function checkHistory(history: History): Verdict {
  const orders = new Map(history.orders.map((order) => [order.id, order]));
  const payments = new Map<number, PaymentRecord[]>();
  for (const payment of history.payments) {
    payments.set(payment.order_id, [...(payments.get(payment.order_id) ?? []), payment]);
  }
  const emailCount = new Map<number, number>();
  for (const email of history.emails)
    emailCount.set(email.order_id, (emailCount.get(email.order_id) ?? 0) + email.count);
  const mailCount = new Map<number, number>();
  for (const id of history.mails) mailCount.set(id, (mailCount.get(id) ?? 0) + 1);

  const lostOrders = history.accepted.filter((id) => !orders.has(id));
  const unfinished: number[] = [];
  const lostEffects: Verdict['lostEffects'] = [];
  const duplicated: Verdict['duplicated'] = [];
  const inconsistent: Verdict['inconsistent'] = [];

  for (const order of history.orders) {
    if (!FINAL.has(order.status)) unfinished.push(order.id);
    const rows = payments.get(order.id) ?? [];
    const paymentTotal = rows.reduce((sum, row) => sum + row.count, 0);
    const succeeded = rows.filter((row) => row.status === 'succeeded').reduce((sum, row) => sum + row.count, 0);
    const emails = emailCount.get(order.id) ?? 0;
    const mails = mailCount.get(order.id) ?? 0;
    if (paymentTotal > 1) duplicated.push({ order_id: order.id, effect: 'payment', count: paymentTotal });
    if (emails > 1) duplicated.push({ order_id: order.id, effect: 'email', count: emails });
    if (mails > 1) duplicated.push({ order_id: order.id, effect: 'mail', count: mails });
    if (order.status === 'confirmed') {
      if (succeeded === 0) lostEffects.push({ order_id: order.id, missing: 'payment' });
      if (emails === 0) lostEffects.push({ order_id: order.id, missing: 'email' });
      if (mails === 0) lostEffects.push({ order_id: order.id, missing: 'mail' });
    }
    if (order.status === 'cancelled') {
      if (succeeded > 0) inconsistent.push({ order_id: order.id, problem: 'cancelled but a payment succeeded' });
      if (mails > 0 || emails > 0) inconsistent.push({ order_id: order.id, problem: 'cancelled but emailed' });
      if (order.failure_reason === 'payment_declined' && paymentTotal === 0) {
        lostEffects.push({ order_id: order.id, missing: 'declined payment record' });
      }
    }
  }
  const lost = lostOrders.length + lostEffects.length;
  const duplicates = duplicated.length;
  return {
    lostOrders,
    unfinished,
    lostEffects,
    duplicated,
    inconsistent,
    lost,
    duplicates,
    ok: lost === 0 && duplicates === 0 && unfinished.length === 0 && inconsistent.length === 0,
  };
}
