import { type FaultySmtp, startFaultySmtp } from '@checkout-lab/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, type TestShop, startTestShop } from '@checkout-lab/stacks/testing';

/** A request that gives up after a long bound instead of hanging the test when the server stops answering. */
async function bounded(call: Promise<ApiResponse>, what: string): Promise<ApiResponse> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within 60 s`)), 60_000);
  });
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// LESSON: A transaction is not a timeout (LESSONS.md#a-transaction-is-not-a-timeout)
/**
 * The monolith sends the confirmation inside its checkout transaction, so a
 * mail server that fails must fail the checkout (503, rolled back) and never hold the transaction and its row locks.
 */
describe('the monolith during an SMTP outage', () => {
  let smtp: FaultySmtp;
  let shop: TestShop;
  beforeAll(async () => {
    smtp = await startFaultySmtp('refuse');
    shop = await startTestShop({ smtpPort: smtp.port });
  });
  afterAll(async () => {
    await shop?.stop();
    await smtp?.stop();
  });

  /** Sessions of the shop's database (other than the one asking) inside a transaction, and the locks they hold. */
  async function openTransactionsAndLocks() {
    const { rows } = await shop.sql.query<{ transactions: number; locks: number }>(
      `SELECT
         (SELECT count(*)::int FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL) AS transactions,
         (SELECT count(*)::int FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE a.datname = current_database() AND l.pid <> pg_backend_pid()) AS locks`,
    );
    return rows[0];
  }

  it('when several buyers check out while SMTP refuses, then each gets 503 EMAIL_FAILED and no transaction or lock is left; when SMTP is back, then a checkout succeeds', async () => {
    const buyers = await Promise.all(Array.from({ length: 8 }, (_v, i) => shop.buyer(`outage${i}`)));
    for (const buyer of buyers) {
      const added = await shop.api('POST', '/api/cart/items', {
        token: buyer.token,
        body: { product_id: 1, quantity: 1 },
      });
      expect(added.status).toBe(201);
    }
    const stockBefore = await shop.stock(1);

    const answers = await Promise.all(
      buyers.map((buyer, i) =>
        bounded(shop.api('POST', '/api/orders/checkout', { token: buyer.token }), `checkout ${i} during the outage`),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(buyers.length).fill(503));
    expect(answers.map((a) => a.body.error.code)).toEqual(Array(buyers.length).fill('EMAIL_FAILED'));
    expect(await openTransactionsAndLocks()).toEqual({ transactions: 0, locks: 0 });
    expect(await shop.count('orders')).toBe(0);
    expect(await shop.stock(1)).toBe(stockBefore);

    const degraded = await shop.api('GET', '/health');
    expect(degraded.status).toBe(503);
    expect(degraded.body).toMatchObject({ status: 'degraded', database: 'ok', smtp: { status: 'failing' } });
    expect(degraded.body.smtp.consecutive_failures).toBeGreaterThanOrEqual(buyers.length);

    await smtp.set('forward', shop.mail.smtpPort);
    const after = await bounded(
      shop.api('POST', '/api/orders/checkout', { token: buyers[0].token }),
      'checkout after SMTP is back',
    );
    expect(after.status).toBe(201);
    expect(after.body.status).toBe('confirmed');
    expect(await shop.mail.mailbox.waitFor((mails) => mails.length === 1)).toHaveLength(1);
    expect(await shop.stock(1)).toBe(stockBefore - 1);

    const healthy = await shop.api('GET', '/health');
    expect(healthy.status).toBe(200);
    expect(healthy.body).toMatchObject({ status: 'ok', smtp: { status: 'ok', consecutive_failures: 0 } });
  });
});
