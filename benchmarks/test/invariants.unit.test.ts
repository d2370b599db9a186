import { parseConfirmationSubject } from '@checkout-lab/kit';
import { describe, expect, it } from 'vitest';
import { type Audit, checkInvariants, countConfirmations, type InvariantInput } from '../src/invariants';

const HOT = 1;
const OTHER = 2;

/** A clean micro run: 4 buyers of a product with stock 2, two confirmed, two cancelled out of stock. */
function cleanRun(): InvariantInput {
  const audit: Audit = {
    orders: [
      { id: 11, status: 'confirmed', failure_reason: null, payments: 1, emails: 1 },
      { id: 12, status: 'confirmed', failure_reason: null, payments: 1, emails: 1 },
      { id: 13, status: 'cancelled', failure_reason: 'out_of_stock', payments: 0, emails: 0 },
      { id: 14, status: 'cancelled', failure_reason: 'out_of_stock', payments: 0, emails: 0 },
    ],
    products: [
      { id: HOT, name: 'hot', stock: 0 },
      { id: OTHER, name: 'other', stock: 50 },
    ],
  };
  return {
    stack: 'micro',
    accepted: [11, 12, 13, 14].map((id) => ({ id, items: [{ product_id: HOT, quantity: 1 }] })),
    initialStock: { [HOT]: 2, [OTHER]: 50 },
    audit,
    mailsByOrder: { '11': 1, '12': 1 },
    status5xx: 0,
  };
}

function failed(input: InvariantInput): string[] {
  return checkInvariants(input)
    .filter((r) => !r.ok)
    .map((r) => r.name);
}

describe('checkInvariants', () => {
  it('when the run is clean, then every invariant holds', () => {
    const results = checkInvariants(cleanRun());
    expect(results.length).toBeGreaterThanOrEqual(8);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it('when three orders are confirmed for a stock of two (an oversell), then it fails', () => {
    const input = cleanRun();
    input.audit.orders[2] = { id: 13, status: 'confirmed', failure_reason: null, payments: 1, emails: 1 };
    input.audit.products[0].stock = -1;
    input.mailsByOrder = { '11': 1, '12': 1, '13': 1 };
    expect(failed(input)).toEqual(['stock_never_negative', 'confirmed_within_stock']);
  });

  it('when the stock did not go down for a confirmed order, then stock conservation fails', () => {
    const input = cleanRun();
    input.audit.products[0].stock = 1;
    expect(failed(input)).toEqual(['stock_conserved']);
  });

  it('when an accepted order is missing on the server (a lost order), then it fails', () => {
    const input = cleanRun();
    input.audit.orders = input.audit.orders.filter((o) => o.id !== 14);
    expect(failed(input)).toEqual(['no_lost_order']);
  });

  it('when an accepted order never became final, then it fails', () => {
    const input = cleanRun();
    input.audit.orders[3] = { id: 14, status: 'pending', failure_reason: null, payments: 0, emails: 0 };
    expect(failed(input)).toEqual(['every_accepted_order_final']);
  });

  it('when a confirmed order was charged twice (a double payment), then it fails', () => {
    const input = cleanRun();
    input.audit.orders[0].payments = 2;
    expect(failed(input)).toEqual(['one_payment_per_confirmed_order']);
  });

  it('when a cancelled order kept its payment, then it fails', () => {
    const input = cleanRun();
    input.audit.orders[2].payments = 1;
    expect(failed(input)).toEqual(['one_payment_per_confirmed_order']);
  });

  it('when the catcher holds two emails for one order, then it fails even if the audit says one', () => {
    const input = cleanRun();
    input.mailsByOrder = { '11': 2, '12': 1 };
    expect(failed(input)).toEqual(['one_email_per_confirmed_order']);
  });

  it('when a confirmed order has no email recorded, then it fails', () => {
    const input = cleanRun();
    input.audit.orders[1].emails = 0;
    input.mailsByOrder = null;
    expect(failed(input)).toEqual(['one_email_per_confirmed_order']);
  });

  it('when a server error was answered, then no_5xx fails', () => {
    const input = cleanRun();
    input.status5xx = 1;
    expect(failed(input)).toEqual(['no_5xx']);
  });

  it('when a monolith 201 order is not confirmed, then it fails', () => {
    const input = cleanRun();
    input.stack = 'monolith';
    expect(failed(input)).toEqual(['monolith_accepted_means_confirmed']);
  });
});

describe('countConfirmations', () => {
  it('when the catcher holds both stacks mail, then only this stack confirmations are counted', () => {
    const counts = countConfirmations(
      [
        '[monolith] Order #3 confirmed',
        '[microservices] Order #3 confirmed',
        '[microservices] Order #3 confirmed',
        'Welcome',
      ],
      'micro',
      parseConfirmationSubject,
    );
    expect(counts).toEqual({ '3': 2 });
  });
});
