import { describe, expect, it } from 'vitest';
import {
  type AuditOrder,
  type CheckoutAttempt,
  checkHistory,
  confirmedOrderIds,
  type FAILING_COUNTS,
  failingCounts,
  type HistoryInput,
  type VerdictCount,
} from '../src/index';

const HOT = 1;
const OTHER = 2;
const one = [{ product_id: HOT, quantity: 1 }];

function order(id: number, status: string, fields: Partial<AuditOrder> = {}): AuditOrder {
  const confirmed = status === 'confirmed';
  return {
    id,
    status,
    failure_reason: status === 'cancelled' ? 'out_of_stock' : null,
    payments: confirmed ? 1 : 0,
    emails: confirmed ? 1 : 0,
    provider_charges: confirmed ? 1 : 0,
    payment_records: confirmed ? 1 : 0,
    ...fields,
  };
}

const accept = (buyer: string, id: number, fields: Partial<CheckoutAttempt> = {}): CheckoutAttempt => ({
  buyer,
  outcome: 'accepted',
  status: 202,
  orderId: id,
  items: one,
  ...fields,
});

/**
 * A clean microservices run: five buyers of a product with stock 2; two confirmed, two cancelled out of stock, one
 * declined by the provider (its payment recorded, no charge kept); a sixth buyer refused at once.
 */
function clean(): HistoryInput {
  return {
    attempts: [
      accept('a', 11),
      accept('b', 12),
      accept('c', 13),
      accept('d', 14),
      accept('e', 15),
      { buyer: 'f', outcome: 'refused', status: 409 },
    ],
    audit: {
      orders: [
        order(11, 'confirmed'),
        order(12, 'confirmed'),
        order(13, 'cancelled'),
        order(14, 'cancelled'),
        order(15, 'cancelled', { failure_reason: 'payment_declined', payment_records: 1 }),
      ],
      products: [
        { id: HOT, name: 'hot', stock: 0 },
        { id: OTHER, name: 'other', stock: 50 },
      ],
      orphan_charges: [],
    },
    mails: [11, 12],
    initialStock: { [HOT]: 2, [OTHER]: 50 },
    status5xx: 0,
  };
}

function withOrder(input: HistoryInput, id: number, fields: Partial<AuditOrder>): HistoryInput {
  input.audit.orders = input.audit.orders.map((o) => (o.id === id ? { ...o, ...fields } : o));
  return input;
}

/** Every count but `count` is zero: a history built to break one thing breaks only that. */
function onlyCount(input: HistoryInput, count: VerdictCount) {
  const { verdict, ids } = checkHistory(input);
  const others = Object.entries(verdict).filter(
    ([name, n]) => name !== count && name !== 'accepted' && name !== 'final' && n !== 0,
  );
  expect(others).toEqual([]);
  return { n: verdict[count], ids: ids[count as keyof typeof ids] };
}

function broken(input: HistoryInput): string[] {
  return checkHistory(input)
    .invariants.filter((i) => !i.ok)
    .map((i) => i.name);
}

describe('the verdict of a clean run', () => {
  it('when every effect happened once, then every count but accepted and final is zero and every invariant holds', () => {
    const result = checkHistory(clean());
    expect(result.verdict).toEqual({
      accepted: 5,
      final: 5,
      lost: 0,
      stuck: 0,
      duplicated_charges: 0,
      duplicated_emails: 0,
      unexpected: 0,
      orphan_charges: 0,
      recovered: 0,
      stock_drift: 0,
    });
    expect(Object.values(result.ids).flat()).toEqual([]);
    expect(result.findings).toEqual([]);
    expect(result.invariants.map((i) => i.name)).toEqual([
      'no_5xx',
      'stock_never_negative',
      'no_lost_order',
      'every_accepted_order_final',
      'confirmed_within_stock',
      'stock_conserved',
      'one_payment_per_confirmed_order',
      'one_email_per_confirmed_order',
    ]);
    expect(result.ok).toBe(true);
    expect(failingCounts(result.verdict)).toEqual([]);
  });

  it('when the audit has no provider fields and the catcher was not read, then the shop records alone are checked', () => {
    const input = clean();
    input.audit.orders = input.audit.orders.map(({ provider_charges, payment_records, ...rest }) => rest);
    delete input.audit.orphan_charges;
    input.mails = null;
    const result = checkHistory(input);
    expect(result.ok).toBe(true);
    expect(result.verdict.orphan_charges).toBe(0);
  });
});

describe('accepted and final', () => {
  it('when there is no attempt, then both are zero', () => {
    const verdict = checkHistory({ attempts: [], audit: { orders: [] }, mails: [] }).verdict;
    expect(verdict).toMatchObject({ accepted: 0, final: 0 });
  });

  it('when a buyer was answered the same order twice (an idempotent replay), then it is accepted once', () => {
    const input = clean();
    input.attempts.push(accept('a', 11, { idempotencyKey: 'k' }));
    expect(checkHistory(input).verdict).toMatchObject({ accepted: 5, final: 5 });
  });

  it('when an accepted order is still in flight, then it is accepted but not final', () => {
    const verdict = checkHistory(withOrder(clean(), 13, { status: 'paid' })).verdict;
    expect(verdict).toMatchObject({ accepted: 5, final: 4 });
  });
});

describe('lost', () => {
  it('when an accepted order is missing on the server, then it is lost and no_lost_order breaks', () => {
    const input = clean();
    input.audit.orders = input.audit.orders.filter((o) => o.id !== 14);
    expect(onlyCount(input, 'lost')).toEqual({ n: 1, ids: [14] });
    expect(broken(input)).toEqual(['no_lost_order']);
  });
});

describe('stuck', () => {
  it('when an accepted order never became final, then it is stuck and every_accepted_order_final breaks', () => {
    const input = withOrder(clean(), 14, { status: 'pending' });
    expect(onlyCount(input, 'stuck')).toEqual({ n: 1, ids: [14] });
    expect(broken(input)).toEqual(['every_accepted_order_final']);
  });
});

describe('duplicated_charges', () => {
  it('when the shop recorded two succeeded payments for one order, then it is a duplicated charge', () => {
    const input = withOrder(clean(), 11, { payments: 2, payment_records: 2 });
    expect(onlyCount(input, 'duplicated_charges')).toEqual({ n: 1, ids: [11] });
    expect(broken(input)).toEqual(['one_payment_per_confirmed_order']);
  });

  it('when the provider holds two charges for an order the shop paid once, then it is a duplicated charge', () => {
    const input = withOrder(clean(), 12, { provider_charges: 2 });
    expect(onlyCount(input, 'duplicated_charges')).toEqual({ n: 1, ids: [12] });
  });

  it('when the payment step ran twice for one order (a declined record beside a success), then it is counted too', () => {
    const input = withOrder(clean(), 11, { payment_records: 2 });
    expect(onlyCount(input, 'duplicated_charges')).toEqual({ n: 1, ids: [11] });
  });

  it('when one order is doubled at the shop and at the provider, then it is one duplicated charge', () => {
    const input = withOrder(clean(), 11, { payments: 2, provider_charges: 2, payment_records: 2 });
    expect(onlyCount(input, 'duplicated_charges')).toEqual({ n: 1, ids: [11] });
  });
});

describe('duplicated_emails', () => {
  it('when the catcher holds two confirmations for one order, then it is duplicated even if the shop says one', () => {
    const input = clean();
    input.mails = [11, 11, 12];
    expect(onlyCount(input, 'duplicated_emails')).toEqual({ n: 1, ids: [11] });
    expect(broken(input)).toEqual(['one_email_per_confirmed_order']);
  });

  it('when the shop recorded two sends for one order, then it is duplicated', () => {
    const input = withOrder(clean(), 12, { emails: 2 });
    expect(onlyCount(input, 'duplicated_emails')).toEqual({ n: 1, ids: [12] });
  });
});

describe('unexpected', () => {
  const cases: [string, (input: HistoryInput) => HistoryInput, number, string][] = [
    ['a cancelled order kept its payment', (i) => withOrder(i, 13, { payments: 1 }), 13, 'payment'],
    [
      'the provider holds a charge of a cancelled order',
      (i) => withOrder(i, 14, { provider_charges: 1 }),
      14,
      'payment',
    ],
    ['a cancelled order was emailed (the shop)', (i) => withOrder(i, 13, { emails: 1 }), 13, 'email'],
    ['a cancelled order was emailed (the catcher)', (i) => ({ ...i, mails: [11, 12, 14] }), 14, 'email'],
    ['a confirmed order has no payment', (i) => withOrder(i, 11, { payments: 0 }), 11, 'payment'],
    [
      'the provider holds no charge of a confirmed order',
      (i) => withOrder(i, 12, { provider_charges: 0 }),
      12,
      'payment',
    ],
    ['a confirmed order has no email recorded', (i) => withOrder(i, 12, { emails: 0 }), 12, 'email'],
    ['the catcher has no mail of a confirmed order', (i) => ({ ...i, mails: [12] }), 11, 'email'],
    ['a declined order has no payment record', (i) => withOrder(i, 15, { payment_records: 0 }), 15, 'payment'],
  ];
  for (const [what, breakIt, id, effect] of cases) {
    it(`when ${what}, then it is unexpected and the ${effect} invariant breaks`, () => {
      const input = breakIt(clean());
      expect(onlyCount(input, 'unexpected')).toEqual({ n: 1, ids: [id] });
      expect(broken(input)).toEqual([`one_${effect}_per_confirmed_order`]);
    });
  }

  it('when an order answered 201 (the monolith: confirmed) ended cancelled, then it is unexpected', () => {
    const input = clean();
    input.attempts = input.attempts.map((a) => (a.orderId === 13 ? { ...a, status: 201 } : a));
    expect(onlyCount(input, 'unexpected')).toEqual({ n: 1, ids: [13] });
    expect(broken(input)).toEqual(['monolith_accepted_means_confirmed']);
  });

  it('when every accepted order of a monolith run was answered 201 and confirmed, then the 201 invariant holds', () => {
    const input = clean();
    input.attempts = [accept('a', 11, { status: 201 }), accept('b', 12, { status: 201 })];
    input.audit.orders = input.audit.orders.filter((o) => o.id <= 12);
    const result = checkHistory(input);
    expect(result.invariants.find((i) => i.name === 'monolith_accepted_means_confirmed')).toMatchObject({ ok: true });
    expect(result.ok).toBe(true);
  });
});

describe('orphan_charges', () => {
  it('when the provider holds a charge for no order the shop kept, then it is an orphan, reported without failing', () => {
    const input = clean();
    input.audit.orphan_charges = [{ provider_charge_id: 'ch_9', order_ref: 'checkout-16', amount: '5.00' }];
    expect(onlyCount(input, 'orphan_charges')).toEqual({ n: 1, ids: ['ch_9'] });
    expect(checkHistory(input).ok).toBe(true);
  });
});

describe('recovered', () => {
  it('when a buyer saw a 5xx and its retry with the same key answered an order, then that order is recovered', () => {
    const input = clean();
    input.attempts = input.attempts.map((a) => (a.buyer === 'a' ? { ...a, idempotencyKey: 'key-a' } : a));
    input.attempts.unshift({ buyer: 'a', outcome: 'error', status: 503, idempotencyKey: 'key-a' });
    expect(onlyCount(input, 'recovered')).toEqual({ n: 1, ids: [11] });
    expect(checkHistory(input).ok).toBe(true);
  });

  it('when a buyer timed out and finds an order it was never told about in its own list, then it is recovered and checked', () => {
    const input = clean();
    input.attempts.push({ buyer: 'g', outcome: 'timeout', status: null });
    input.buyerOrders = { g: [{ id: 16, items: [{ product_id: OTHER, quantity: 2 }] }] };
    input.audit.orders.push(order(16, 'confirmed'));
    input.audit.products![1].stock = 48;
    input.mails!.push(16);
    expect(onlyCount(input, 'recovered')).toEqual({ n: 1, ids: [16] });
    expect(checkHistory(input).verdict.accepted).toBe(5);
  });

  it('when a recovered order lost its email, then the same checks as for an accepted one find it', () => {
    const input = clean();
    input.attempts.push({ buyer: 'g', outcome: 'timeout', status: null, orderId: 16, items: one });
    input.audit.orders.push(order(16, 'cancelled', { emails: 1 }));
    const { verdict, ids } = checkHistory(input);
    expect(verdict).toMatchObject({ recovered: 1, unexpected: 1 });
    expect(ids.unexpected).toEqual([16]);
  });

  it('when an order a buyer was told about is in its list beside a failed attempt, then it is not recovered', () => {
    const input = clean();
    input.attempts.push({ buyer: 'a', outcome: 'error', status: 502 });
    input.buyerOrders = { a: [{ id: 11 }] };
    expect(checkHistory(input).verdict.recovered).toBe(0);
  });

  it('when a failed attempt matches no order the shop has, then nothing is recovered', () => {
    const input = clean();
    input.attempts.push({ buyer: 'g', outcome: 'error', status: 500, orderId: 99 });
    expect(checkHistory(input).verdict.recovered).toBe(0);
  });
});

describe('stock_drift', () => {
  it('when the stock did not go down for a confirmed order, then the product drifts and stock_conserved breaks', () => {
    const input = clean();
    input.audit.products![0].stock = 1;
    expect(onlyCount(input, 'stock_drift')).toEqual({ n: 1, ids: [HOT] });
    expect(broken(input)).toEqual(['stock_conserved']);
  });

  it('when three orders are confirmed for a stock of two (an oversell), then the product drifts', () => {
    const input = withOrder(clean(), 13, { status: 'confirmed', payments: 1, emails: 1, provider_charges: 1 });
    input.audit.products![0].stock = -1;
    input.mails = [11, 12, 13];
    withOrder(input, 13, { failure_reason: null, payment_records: 1 });
    expect(onlyCount(input, 'stock_drift')).toEqual({ n: 1, ids: [HOT] });
    expect(broken(input)).toEqual(['stock_never_negative', 'confirmed_within_stock']);
  });

  it('when a product no order touched went below zero, then it drifts too', () => {
    const input = clean();
    input.initialStock = { [HOT]: 2 };
    input.audit.products![1].stock = -3;
    expect(onlyCount(input, 'stock_drift')).toEqual({ n: 1, ids: [OTHER] });
  });

  it('when a product changed that the caller did not ask to check, then it is not counted', () => {
    const input = clean();
    input.initialStock = { [HOT]: 2 };
    input.audit.products![1].stock = 7;
    expect(checkHistory(input).verdict.stock_drift).toBe(0);
  });
});

describe('the invariants and the run', () => {
  it('when a server error was answered, then no_5xx breaks and no count changes', () => {
    const input = clean();
    input.status5xx = 1;
    expect(broken(input)).toEqual(['no_5xx']);
    expect(failingCounts(checkHistory(input).verdict)).toEqual([]);
  });

  it('when any failing count is non-zero, then an invariant breaks and failingCounts names it', () => {
    const histories: Record<(typeof FAILING_COUNTS)[number], HistoryInput> = {
      lost: { ...clean(), attempts: [...clean().attempts, accept('z', 99)] },
      stuck: withOrder(clean(), 13, { status: 'pending' }),
      duplicated_charges: withOrder(clean(), 11, { payments: 2 }),
      duplicated_emails: withOrder(clean(), 11, { emails: 2 }),
      unexpected: withOrder(clean(), 13, { emails: 1 }),
      stock_drift: { ...clean(), initialStock: { [HOT]: 3, [OTHER]: 50 } },
    };
    for (const [count, input] of Object.entries(histories)) {
      const result = checkHistory(input);
      expect(result.ok, count).toBe(false);
      expect(failingCounts(result.verdict), count).toEqual([`${count}=1`]);
    }
  });

  it('when many orders break one invariant, then its detail names the first ones and how many more', () => {
    const input = clean();
    for (let id = 100; id < 112; id++) input.attempts.push(accept('x', id));
    const lost = checkHistory(input).invariants.find((i) => i.name === 'no_lost_order');
    expect(lost?.detail).toMatch(/^order 100 missing on the server; .* and 4 more$/);
  });
});

describe('confirmedOrderIds', () => {
  it('when the catcher holds both stacks mail, then only this stack confirmations are listed, one per mail', () => {
    const subjects = [
      '[monolith] Order #3 confirmed',
      '[microservices] Order #3 confirmed',
      '[microservices] Order #3 confirmed',
      '[microservices] Order #4 confirmed',
      'Welcome',
    ];
    expect(confirmedOrderIds(subjects, 'microservices')).toEqual([3, 3, 4]);
    expect(confirmedOrderIds(subjects, 'monolith')).toEqual([3]);
  });
});
