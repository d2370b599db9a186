import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPaymentProvider } from '@checkout-lab/kit/testing';
import { type TestShop, startTestShop } from '@checkout-lab/stacks/testing';
import { startMonolith } from '../src/server';

// LESSON: Is it the architecture or the transaction? (LESSONS.md#is-it-the-architecture-or-the-transaction)
/**
 * The monolith's fix switches against real PostgreSQL, SMTP and the card provider: what each one changes, proved from
 * the database's own views, the provider's ledger and the mail catcher, never from timings.
 */
describe('the fix switches of the monolith', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startTestShop({ knobs: { payment_delay_ms: 20, email_delay_ms: 20 } });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  const admin = () => ({ token: shop.adminToken });
  const setFixes = async (fixes: Record<string, boolean>) => {
    const answer = await shop.api('PUT', '/api/lab/fixes', { ...admin(), body: fixes });
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const allOff = {
    short_lock: false,
    payment_outside_transaction: false,
    async_email: false,
    accept_then_process: false,
  };
  const reset = async () => {
    await setFixes(allOff);
    await shop.api('POST', '/api/lab/faults/reset', admin());
    await shop.setKnobs({ payment_delay_ms: 20, email_delay_ms: 20, payment_failure_rate: 0 });
  };
  const newProduct = async (stock: number) => {
    const answer = await shop.api('POST', '/api/products', {
      ...admin(),
      body: { name: `Fix ${Math.random().toString(36).slice(2, 8)}`, price: '10.00', category_id: 1, stock },
    });
    expect(answer.status).toBe(201);
    return answer.body.id as number;
  };
  const buyerWithCart = async (productId: number) => {
    const buyer = await shop.buyer('fix');
    await shop.api('POST', '/api/cart/items', { token: buyer.token, body: { product_id: productId, quantity: 1 } });
    return buyer;
  };
  const audit = async () => (await shop.api('GET', '/api/lab/audit', admin())).body;
  const until = async <T>(what: string, probe: () => Promise<T | undefined>, tries = 300): Promise<T> => {
    for (let attempt = 0; attempt < tries; attempt += 1) {
      const found = await probe();
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`never saw: ${what}`);
  };
  /**
   * Samples pg_stat_activity while work runs: how often a session of the shop's database waited on a lock held by a
   * session that is idle in transaction, that is, held while the application does something slow (the payment).
   * A wait behind a statement that is running (two conditional UPDATEs of one row, one after the other) is not one.
   */
  const waitsBehindIdleTransactions = async (work: Promise<unknown>) => {
    let waits = 0;
    let done = false;
    const finished = work.finally(() => {
      done = true;
    });
    while (!done) {
      const { rows } = await shop.sql.query(
        `SELECT count(*)::int AS n
         FROM pg_stat_activity waiter, unnest(pg_blocking_pids(waiter.pid)) AS blocker(pid)
         JOIN pg_stat_activity holder ON holder.pid = blocker.pid
         WHERE waiter.datname = current_database() AND waiter.wait_event_type = 'Lock'
           AND holder.state = 'idle in transaction'`,
      );
      waits += rows[0].n;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await finished;
    return waits;
  };

  it('when the fixes are read and switched, then all off by default, any subset changes, bad input 422, buyers 403', async () => {
    await reset();
    expect((await shop.api('GET', '/api/lab/fixes', admin())).body).toEqual(allOff);
    expect(await setFixes({ short_lock: true })).toEqual({ ...allOff, short_lock: true });
    for (const body of [{ short_lock: 'yes' }, { unknown_fix: true }, []]) {
      const refused = await shop.api('PUT', '/api/lab/fixes', { ...admin(), body });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await shop.api('GET', '/api/lab/fixes', admin())).body).toEqual({ ...allOff, short_lock: true });
    const buyer = await shop.buyer('nosy');
    expect((await shop.api('PUT', '/api/lab/fixes', { token: buyer.token, body: allOff })).status).toBe(403);
    await reset();
  });

  it('when short_lock is on, then no session waits on a lock held through a slow payment, and a rush never oversells; all off, the queue is back', async () => {
    await reset();
    await shop.setKnobs({ payment_delay_ms: 600 });
    const product = await newProduct(3);
    const rush = async () => {
      const buyers = await Promise.all(Array.from({ length: 5 }, () => buyerWithCart(product)));
      return Promise.all(buyers.map((b) => shop.api('POST', '/api/orders/checkout', { token: b.token })));
    };
    // All off first: the same rush queues on the row lock (the test can fail).
    const blocking = rush();
    expect(await waitsBehindIdleTransactions(blocking)).toBeGreaterThan(0);
    const blockingAnswers = await blocking;
    expect(blockingAnswers.filter((a) => a.status === 201)).toHaveLength(3);

    await shop.api('PATCH', `/api/products/${product}`, { ...admin(), body: { stock: 3 } });
    await setFixes({ short_lock: true });
    const fixed = rush();
    expect(await waitsBehindIdleTransactions(fixed)).toBe(0);
    const answers = await fixed;
    expect(answers.filter((a) => a.status === 201)).toHaveLength(3);
    expect(answers.filter((a) => a.status === 409).map((a) => a.body.error.code)).toEqual([
      'OUT_OF_STOCK',
      'OUT_OF_STOCK',
    ]);
    expect(await shop.stock(product)).toBe(0);

    // Every fix off again: the blocking checkout is back, and with it the queue behind the idle transaction.
    await reset();
    await shop.setKnobs({ payment_delay_ms: 600 });
    await shop.api('PATCH', `/api/products/${product}`, { ...admin(), body: { stock: 3 } });
    const again = rush();
    expect(await waitsBehindIdleTransactions(again)).toBeGreaterThan(0);
    expect((await again).filter((a) => a.status === 201)).toHaveLength(3);
    await reset();
  });

  it('when payment_outside_transaction is on and the payment is declined, then 402, the order cancelled, its stock back, no charge held', async () => {
    await reset();
    await setFixes({ payment_outside_transaction: true });
    const product = await newProduct(2);
    const paid = await shop.api('POST', '/api/orders/checkout', { token: (await buyerWithCart(product)).token });
    expect(paid.status).toBe(201);
    expect(paid.body.status).toBe('confirmed');
    expect(await shop.stock(product)).toBe(1);

    await shop.setKnobs({ payment_failure_rate: 1 });
    const declined = await shop.api('POST', '/api/orders/checkout', { token: (await buyerWithCart(product)).token });
    expect(declined.status).toBe(402);
    expect(declined.body.error.code).toBe('PAYMENT_DECLINED');
    expect(await shop.stock(product)).toBe(1);
    const after = await audit();
    const cancelled = after.orders.filter((o: { status: string }) => o.status === 'cancelled');
    expect(cancelled).toEqual([expect.objectContaining({ failure_reason: 'payment_declined', provider_charges: 0 })]);
    expect(after.orders.find((o: { id: number }) => o.id === paid.body.id)).toMatchObject({ provider_charges: 1 });
    expect(after.orphan_charges).toEqual([]);
    await reset();
  });

  it('when payment_outside_transaction is on and the email fails after the charge, then the charge is refunded and the stock is back', async () => {
    await reset();
    await setFixes({ payment_outside_transaction: true });
    const product = await newProduct(1);
    await shop.api('PUT', '/api/lab/faults', { ...admin(), body: { smtp_down: true } });
    const answer = await shop.api('POST', '/api/orders/checkout', { token: (await buyerWithCart(product)).token });
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('EMAIL_FAILED');
    expect(await shop.stock(product)).toBe(1);
    const after = await audit();
    const order = after.orders.find((o: { failure_reason: string | null }) => o.failure_reason === 'email_failed');
    // Charged, then refunded: the provider holds nothing for it, and nothing is an orphan.
    expect(order).toMatchObject({ status: 'cancelled', provider_charges: 0, payments: 0 });
    expect(after.orphan_charges).toEqual([]);
    await reset();
  });

  it('when async_email is on and SMTP is down, then the order is confirmed at once and its email arrives once SMTP is back', async () => {
    await reset();
    await setFixes({ async_email: true });
    await shop.api('PUT', '/api/lab/faults', { ...admin(), body: { smtp_down: true } });
    const product = await newProduct(1);
    const answer = await shop.api('POST', '/api/orders/checkout', { token: (await buyerWithCart(product)).token });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ status: 'confirmed', email_sent_at: null });
    const subject = `[monolith] Order #${answer.body.id} confirmed`;
    // The worker has tried and failed (the job is retried with backoff); nothing reached the catcher.
    await until('a failed send attempt', async () => {
      const { rows } = await shop.sql.query(
        `SELECT attempts FROM graphile_worker._private_jobs WHERE last_error IS NOT NULL AND attempts > 0`,
      );
      return rows[0];
    });
    expect((await shop.mail.mailbox.list()).filter((m) => m.subject === subject)).toEqual([]);

    await shop.api('POST', '/api/lab/faults/reset', admin());
    const sent = await until(
      'the email after SMTP came back',
      async () => {
        const order = (await shop.api('GET', `/api/orders/${answer.body.id}`, admin())).body;
        return order.email_sent_at ? order : undefined;
      },
      600,
    );
    expect(sent.status).toBe('confirmed');
    expect((await shop.mail.mailbox.list()).filter((m) => m.subject === subject)).toHaveLength(1);
    await reset();
  });

  it('when accept_then_process is on, then 202 with Location and pending, and the order ends confirmed, or cancelled with its stock back', async () => {
    await reset();
    await shop.setKnobs({ payment_delay_ms: 300 });
    await setFixes({ accept_then_process: true });
    const product = await newProduct(2);
    const buyer = await buyerWithCart(product);
    const accepted = await shop.api('POST', '/api/orders/checkout', { token: buyer.token });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('location')).toBe(`/api/orders/${accepted.body.id}`);
    expect(accepted.body).toMatchObject({ status: 'pending', completion_duration_ms: null });
    const final = await until('the order final', async () => {
      const order = (await shop.api('GET', `/api/orders/${accepted.body.id}`, { token: buyer.token })).body;
      return order.status === 'pending' ? undefined : order;
    });
    expect(final.status).toBe('confirmed');
    expect(final.completion_duration_ms).toBeGreaterThanOrEqual(final.processing_duration_ms);
    expect(final.steps.map((s: { name: string }) => s.name)).toContain('6_process_payment');

    await shop.setKnobs({ payment_failure_rate: 1 });
    const other = await buyerWithCart(product);
    const refused = await shop.api('POST', '/api/orders/checkout', { token: other.token });
    expect(refused.status).toBe(202);
    const cancelled = await until('the declined order final', async () => {
      const order = (await shop.api('GET', `/api/orders/${refused.body.id}`, { token: other.token })).body;
      return order.status === 'pending' ? undefined : order;
    });
    expect(cancelled).toMatchObject({ status: 'cancelled', failure_reason: 'payment_declined' });
    expect(await shop.stock(product)).toBe(1);
    await reset();
  });

  it('when the monolith stops with an email job waiting, then the next monolith on its database sends it, once', async () => {
    await reset();
    await setFixes({ async_email: true });
    await shop.api('PUT', '/api/lab/faults', { ...admin(), body: { smtp_down: true } });
    const product = await newProduct(1);
    const answer = await shop.api('POST', '/api/orders/checkout', { token: (await buyerWithCart(product)).token });
    expect(answer.status).toBe(201);
    await shop.monolith.stop();
    // A new process on the same database, with the fixes all off and SMTP working: the job was a row, it is still there.
    const next = await startMonolith({
      databaseUrl: shop.database.url,
      paymentProvider: testPaymentProvider(shop.database.name),
      smtpPort: shop.mail.smtpPort,
      mailUiUrl: shop.mail.webUrl,
      knobs: { email_delay_ms: 20 },
      logLevel: 'silent',
    });
    try {
      const subject = `[monolith] Order #${answer.body.id} confirmed`;
      await until(
        'the email sent by the next monolith',
        async () => {
          const mails = (await shop.mail.mailbox.list()).filter((m) => m.subject === subject);
          return mails.length > 0 ? mails : undefined;
        },
        600,
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await shop.mail.mailbox.list()).filter((m) => m.subject === subject)).toHaveLength(1);
    } finally {
      await next.stop();
    }
  });
});
