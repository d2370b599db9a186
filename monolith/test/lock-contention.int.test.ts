import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestShop, startTestShop } from '@checkout-lab/stacks/testing';

// LESSON: Watch the lock (LESSONS.md#watch-the-lock)
/**
 * Proved from PostgreSQL's own views, not from timings: while buyer A's checkout sits in its
 * slow payment step, buyer B's backend waits on a Lock that A's backend holds.
 */
describe('lock contention in the monolith checkout', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startTestShop({ knobs: { payment_delay_ms: 1500, email_delay_ms: 20 } });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  async function poll<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    for (let attempt = 0; attempt < 400; attempt += 1) {
      const found = await probe();
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`never saw: ${what}`);
  }

  it('when buyer A holds the inventory lock, then buyer B waits on it in pg_stat_activity and finishes after A', async () => {
    const a = await shop.buyer('a');
    const b = await shop.buyer('b');
    await shop.api('POST', '/api/cart/items', { token: a.token, body: { product_id: 7, quantity: 1 } });
    await shop.api('POST', '/api/cart/items', { token: b.token, body: { product_id: 7, quantity: 1 } });
    const stock = await shop.stock(7);
    const finished: string[] = [];

    const checkoutA = shop.api('POST', '/api/orders/checkout', { token: a.token }).then((r) => {
      finished.push('A');
      return r;
    });
    // A has passed step 3 when its backend holds the row-share lock SELECT ... FOR UPDATE takes on inventory.
    const holderPid = await poll('A holding the inventory lock', async () => {
      const { rows } = await shop.sql.query(
        `SELECT l.pid FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid
         WHERE s.datname = current_database() AND l.relation = 'inventory'::regclass AND l.mode = 'RowShareLock'
           AND s.state = 'idle in transaction'`,
      );
      return rows[0]?.pid as number | undefined;
    });

    const checkoutB = shop.api('POST', '/api/orders/checkout', { token: b.token }).then((r) => {
      finished.push('B');
      return r;
    });
    const waiter = await poll('B waiting on a lock', async () => {
      const { rows } = await shop.sql.query(
        `SELECT pid, wait_event_type, pg_blocking_pids(pid) AS blockers, query FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      return rows[0] as { pid: number; wait_event_type: string; blockers: number[]; query: string } | undefined;
    });
    expect(waiter.wait_event_type).toBe('Lock');
    expect(waiter.blockers).toContain(holderPid);
    expect(waiter.pid).not.toBe(holderPid);
    expect(waiter.query).toMatch(/FOR UPDATE/);

    const [resultA, resultB] = await Promise.all([checkoutA, checkoutB]);
    expect(resultA.status).toBe(201);
    expect(resultB.status).toBe(201);
    expect(finished).toEqual(['A', 'B']);
    // B could only create its order once A had committed, which happened after A's email went out.
    expect(Date.parse(resultB.body.created_at)).toBeGreaterThan(Date.parse(resultA.body.email_sent_at));
    expect(resultB.body.id).toBeGreaterThan(resultA.body.id);
    // B's wait shows up in its own step 3, the step that asked for the lock.
    const reserveB = resultB.body.steps.find((s: { name: string }) => s.name === '3_reserve_inventory');
    const reserveA = resultA.body.steps.find((s: { name: string }) => s.name === '3_reserve_inventory');
    expect(reserveB.duration_ms).toBeGreaterThan(reserveA.duration_ms);
    expect(await shop.stock(7)).toBe(stock - 2);
  });
});
