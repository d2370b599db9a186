import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestShop, startTestShop } from '@checkout-lab/stacks/testing';

const DELAY_MS = 600;

/**
 * The fault lab's stock_db_delay_ms on the monolith: step 3's stock statement is slower inside PostgreSQL itself
 * (pg_sleep in the checkout's transaction, with the stock rows locked), not in the shop's code.
 */
describe('the monolith under stock_db_delay_ms', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startTestShop();
  });
  afterAll(async () => {
    await shop?.stop();
  });

  /** Sessions of the shop's database, other than this one, running pg_sleep right now. */
  async function sleepingInDatabase(): Promise<number> {
    const { rows } = await shop.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query ILIKE '%pg_sleep%'`,
    );
    return rows[0].n;
  }

  it('when stock_db_delay_ms is set, then a checkout sleeps inside PostgreSQL and its step 3_reserve_inventory lasts at least the delay', async () => {
    const set = await shop.api('PUT', '/api/lab/faults', {
      token: shop.adminToken,
      body: { stock_db_delay_ms: DELAY_MS },
    });
    expect(set.status).toBe(200);
    const buyer = await shop.buyer('stockdelay');
    await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 3, quantity: 1 } });

    const answer = shop.api('POST', '/api/orders/checkout', { token: buyer.token });
    let seen = 0;
    for (let i = 0; i < 100 && seen === 0; i++) {
      seen = await sleepingInDatabase();
      if (seen === 0) await new Promise((r) => setTimeout(r, 20));
    }
    const order = (await answer).body;
    expect(seen).toBe(1);
    expect(order.status).toBe('confirmed');
    const step = order.steps.find((s: { name: string }) => s.name === '3_reserve_inventory');
    expect(step.duration_ms).toBeGreaterThanOrEqual(DELAY_MS);
  });
});
