import { confirmationSubject, processStartTime } from '@checkout-lab/kit';
import { checkHistory, failingCounts } from '@checkout-lab/stacks';
import { type MonolithProcess, setFaults, startMonolithProcess } from '@checkout-lab/stacks/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The fault crash=mid_checkout on the monolith as its own process, supervised as the launcher runs it: the checkout
 * that reaches the point (charged at step 6, before the email of step 9) kills the process. Its buyer gets no answer,
 * its transaction dies with its connection, the provider keeps the charge, and the whole shop is down until the
 * supervisor has it back.
 */
describe('the monolith under crash=mid_checkout', () => {
  let shop: MonolithProcess;
  beforeAll(async () => {
    shop = await startMonolithProcess();
  });
  afterAll(async () => {
    await shop?.stop();
  });

  const count = async (table: string) =>
    (await shop.sql.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;
  const stock = async (productId: number) =>
    (await shop.sql.query('SELECT quantity FROM inventory WHERE product_id = $1', [productId])).rows[0]
      .quantity as number;
  const buyer = async () => {
    const email = `crash.${process.pid}.${Date.now()}@example.test`;
    const registered = await shop.api('POST', '/api/auth/register', {
      body: { email, password: 'correct horse', full_name: 'Crash Buyer' },
    });
    expect(registered.status).toBe(201);
    const login = await shop.api('POST', '/api/auth/login', { body: { email, password: 'correct horse' } });
    return { email, token: login.body.access_token as string };
  };

  /** Arms the crash and checks out: the buyer's request gets no HTTP answer at all. Returns the process that died. */
  const checkoutIntoTheCrash = async (token: string) => {
    expect((await setFaults(shop.url, shop.adminToken, { crash: 'mid_checkout' })).crash).toBe('mid_checkout');
    const before = shop.entry();
    const cut = await shop.api('POST', '/api/orders/checkout', { token }).then(
      (answer) => answer,
      (error: Error) => error,
    );
    expect(cut).toBeInstanceOf(Error);
    return before;
  };

  it('when the checkout reaches the crash, then its buyer gets no answer, the shop is down until the restart, no order is kept, the charge is an orphan; after the restart the fault is off and the next checkout is confirmed', async () => {
    const product = 2;
    const stockBefore = await stock(product);
    const { token } = await buyer();
    const added = await shop.api('POST', '/api/cart/items', { token, body: { product_id: product, quantity: 1 } });
    expect(added.status).toBe(201);
    const total = added.body.total as string;
    // The process died with the request open.
    const before = await checkoutIntoTheCrash(token);
    // The process really died (SIGKILL), and with it the whole shop: even the catalogue does not answer.
    expect(processStartTime(before.pid)).not.toBe(before.start);
    await expect(shop.api('GET', '/api/products')).rejects.toThrow();

    await shop.runningAgain(before.pid);
    expect(shop.entry()).toMatchObject({ status: 'running', restarts: before.restarts + 1 });
    // The transaction died with its connection: nothing of the checkout is kept, the cart is still full.
    expect(await count('orders')).toBe(0);
    expect(await count('payments')).toBe(0);
    expect(await stock(product)).toBe(stockBefore);
    expect((await shop.api('GET', '/api/cart', { token })).body.items).toHaveLength(1);
    // The card provider, outside the shop, kept the charge of step 6: an orphan.
    const audit = (await shop.api('GET', '/api/lab/audit', { token: shop.adminToken })).body;
    expect(audit.orders).toEqual([]);
    expect(audit.orphan_charges).toEqual([
      { provider_charge_id: expect.stringMatching(/^ch_/), order_ref: expect.any(String), amount: total },
    ]);
    // Once: the restarted process starts with every fault off.
    expect((await shop.api('GET', '/api/lab/faults', { token: shop.adminToken })).body.faults.crash).toBe('none');

    const confirmed = await shop.api('POST', '/api/orders/checkout', { token });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.status).toBe('confirmed');
    const orderId = confirmed.body.id as number;
    expect((await shop.mail.mailbox.list()).map((mail) => mail.subject)).toEqual([
      confirmationSubject('monolith', orderId),
    ]);
    const after = (await shop.api('GET', '/api/lab/audit', { token: shop.adminToken })).body;
    const { verdict } = checkHistory({
      attempts: [
        { buyer: 'crash', outcome: 'error', status: null },
        { buyer: 'crash', outcome: 'accepted', status: 201, orderId },
      ],
      audit: after,
      mails: [orderId],
    });
    expect(failingCounts(verdict)).toEqual([]);
    expect(verdict).toMatchObject({ accepted: 1, final: 1, lost: 0, duplicated_charges: 0, orphan_charges: 1 });
  });

  it('when payment_outside_transaction has committed the order before the charge, then the crash leaves it pending for good, charged at the provider and never confirmed', async () => {
    const fixes = await shop.api('PUT', '/api/lab/fixes', {
      token: shop.adminToken,
      body: { payment_outside_transaction: true },
    });
    expect(fixes.status, JSON.stringify(fixes.body)).toBe(200);
    const { token } = await buyer();
    expect((await shop.api('POST', '/api/cart/items', { token, body: { product_id: 3, quantity: 1 } })).status).toBe(
      201,
    );
    const before = await checkoutIntoTheCrash(token);
    await shop.runningAgain(before.pid);

    // The fix's first transaction had committed the order (pending) before the charge; the second, which records the
    // payment and confirms, died with the process. Nothing finishes it: the fix has no recovery of its own.
    const mine = (await shop.api('GET', '/api/orders', { token })).body as { id: number; status: string }[];
    expect(mine.map((order) => order.status)).toEqual(['pending']);
    await new Promise((r) => setTimeout(r, 1000));
    const audit = (await shop.api('GET', '/api/lab/audit', { token: shop.adminToken })).body;
    expect(audit.orders.find((order: { id: number }) => order.id === mine[0].id)).toMatchObject({
      status: 'pending',
      payments: 0,
      provider_charges: 1,
    });
    const { verdict, ids } = checkHistory({
      attempts: [{ buyer: 'fixed', outcome: 'accepted', status: 201, orderId: mine[0].id }],
      audit: { ...audit, orders: audit.orders.filter((order: { id: number }) => order.id === mine[0].id) },
      mails: [],
    });
    expect(verdict.stuck).toBe(1);
    expect(ids.stuck).toEqual([mine[0].id]);
  });
});
