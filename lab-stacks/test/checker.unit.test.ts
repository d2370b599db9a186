import { describe, expect, it } from 'vitest';
import { checkHistory, type History } from '../src/index';

const clean: History = {
  accepted: [1, 2],
  orders: [
    { id: 1, status: 'confirmed', failure_reason: null },
    { id: 2, status: 'cancelled', failure_reason: 'payment_declined' },
  ],
  payments: [
    { order_id: 1, status: 'succeeded', count: 1 },
    { order_id: 2, status: 'declined', count: 1 },
  ],
  emails: [{ order_id: 1, count: 1 }],
  mails: [1],
};

describe('checkHistory', () => {
  it('when every effect happened once, then nothing is lost or duplicated', () => {
    const verdict = checkHistory(clean);
    expect(verdict).toMatchObject({ lost: 0, duplicates: 0, ok: true });
  });

  it('when an accepted order is missing, then it counts as lost', () => {
    const verdict = checkHistory({ ...clean, accepted: [1, 2, 3] });
    expect(verdict.lostOrders).toEqual([3]);
    expect(verdict.lost).toBe(1);
    expect(verdict.ok).toBe(false);
  });

  it('when a payment was recorded twice, then it counts as a duplicate', () => {
    const verdict = checkHistory({
      ...clean,
      payments: [{ order_id: 1, status: 'succeeded', count: 2 }, clean.payments[1]],
    });
    expect(verdict.duplicated).toEqual([{ order_id: 1, effect: 'payment', count: 2 }]);
    expect(verdict.ok).toBe(false);
  });

  it('when the catcher got two confirmation mails for one order, then it counts as a duplicate', () => {
    const verdict = checkHistory({ ...clean, mails: [1, 1] });
    expect(verdict.duplicates).toBe(1);
  });

  it('when a confirmed order has no payment and no mail, then both effects count as lost', () => {
    const verdict = checkHistory({ ...clean, payments: [clean.payments[1]], mails: [] });
    expect(verdict.lostEffects).toEqual([
      { order_id: 1, missing: 'payment' },
      { order_id: 1, missing: 'mail' },
    ]);
  });

  it('when an order is still in flight, then the history is not ok', () => {
    const verdict = checkHistory({
      ...clean,
      orders: [{ id: 1, status: 'paid', failure_reason: null }, clean.orders[1]],
    });
    expect(verdict.unfinished).toEqual([1]);
    expect(verdict.ok).toBe(false);
  });

  it('when a cancelled order was emailed, then it is inconsistent', () => {
    const verdict = checkHistory({ ...clean, mails: [1, 2] });
    expect(verdict.inconsistent).toEqual([{ order_id: 2, problem: 'cancelled but emailed' }]);
  });
});
