import { FAULT_NAMES, faultCatalog } from '@checkout-lab/contract';
import { confirmationSubject, FAULTS_NOT_BUILT } from '@checkout-lab/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  checkout,
  internalHeaders,
  login,
  type MicroLab,
  newBuyer,
  newProduct,
  queryService,
  startTestStack,
  type TestStack,
  waitFinal,
} from '@checkout-lab/stacks/testing';

/** A fault of the microservices whose effect is not built yet, with a value other than its default; none once all are. */
const notBuilt = faultCatalog('microservices').find((fault) => FAULTS_NOT_BUILT.includes(fault.name));
const notBuiltValue = notBuilt && (notBuilt.type === 'boolean' ? true : 1);

/**
 * The fault lab's endpoints on the microservices (docs/api.md, "Faults"): the gateway keeps no fault of its own; it
 * sends each to the service that owns it and reads them back from there.
 */
describe('the fault lab of the microservices', () => {
  let test: TestStack;
  let admin: string;
  beforeAll(async () => {
    test = await startTestStack({ label: 'faults' });
    admin = await login(test.gateway, test.admin.email, test.admin.password);
  });
  afterAll(async () => {
    await test?.stop();
  });
  const gateway = (method: string, path: string, body?: unknown) =>
    call(test.gateway, method, `/api/lab/faults${path}`, { token: admin, body });
  const faults = () => gateway('GET', '');
  const put = (body: unknown) => gateway('PUT', '', body);
  /** A new buyer checks out one unit of a new product: the accepted order. */
  const newOrder = async () => {
    const product = await newProduct(test.gateway, admin, 3);
    const buyer = await newBuyer(test.gateway);
    const accepted = await checkout(test.gateway, buyer.token, product.id);
    expect(accepted.status).toBe(202);
    return { buyer, accepted };
  };
  /** What payment-service itself holds, asked as the gateway would. */
  const paymentServiceFaults = (body?: unknown) =>
    call(test.stack.services['payment-service'].url, body ? 'PUT' : 'GET', '/internal/lab/faults', {
      headers: internalHeaders(null, { secret: test.internalSecret }),
      body,
    });

  it('when the admin reads the faults, then every fault is off and the catalog has the microservices crash points', async () => {
    const answer = await faults();
    expect(answer.status).toBe(200);
    // Every fault of the lab applies here, the monolith's five and the broker's and the hops' three.
    expect(Object.keys(answer.body.faults)).toEqual([...FAULT_NAMES]);
    expect(Object.values(answer.body.faults)).toEqual([false, false, 0, 0, 'none', false, 0, 0]);
    const catalog = answer.body.catalog as { name: string; values?: string[] }[];
    expect(catalog.map((fault) => fault.name)).toEqual(Object.keys(answer.body.faults));
    expect(catalog.find((fault) => fault.name === 'crash')?.values).toEqual([
      'none',
      'after_commit_before_publish',
      'after_effect_before_ack',
    ]);
  });

  it('when someone other than the admin asks, then 401 without a token and 403 for a buyer', async () => {
    const buyer = await newBuyer(test.gateway);
    expect((await call(test.gateway, 'GET', '/api/lab/faults')).status).toBe(401);
    expect((await call(test.gateway, 'GET', '/api/lab/faults', { token: buyer.token })).status).toBe(403);
    expect((await call(test.gateway, 'POST', '/api/lab/faults/reset', { token: buyer.token })).status).toBe(403);
  });

  /** What order-service itself holds. */
  const orderServiceFaults = async () =>
    (
      await call(test.stack.services['order-service'].url, 'GET', '/internal/lab/faults', {
        headers: internalHeaders(null, { secret: test.internalSecret }),
      })
    ).body;

  it('when a PUT names an unknown fault, a bad value or a monolith crash point, then 422 and no service changes', async () => {
    expect((await put({ payment_hang: true, no_such_fault: 1 })).body.error.code).toBe('VALIDATION_ERROR');
    expect((await put({ payment_hang: true, hop_delay_ms: -1 })).body.error.code).toBe('VALIDATION_ERROR');
    const monolithOnly = await put({ payment_hang: true, crash: 'mid_checkout' });
    expect(monolithOnly.status).toBe(422);
    expect(monolithOnly.body.error.code).toBe('FAULT_NOT_APPLICABLE');
    expect((await paymentServiceFaults()).body).toEqual({ payment_hang: false, crash: 'none' });
  });

  it.skipIf(!notBuilt)(
    'when a PUT switches on a fault whose effect is not built yet, then 422 and no service changes',
    async () => {
      const answer = await put({ payment_hang: true, [notBuilt?.name as string]: notBuiltValue });
      expect(answer.status).toBe(422);
      expect(answer.body.error.code).toBe('FAULT_NOT_IMPLEMENTED');
      expect((await paymentServiceFaults()).body).toEqual({ payment_hang: false, crash: 'none' });
    },
  );

  it('when a PUT sets a crash point, then the service of that point holds it and the other holds none; when reset, then both hold none', async () => {
    expect((await put({ crash: 'after_effect_before_ack' })).body.faults.crash).toBe('after_effect_before_ack');
    expect((await paymentServiceFaults()).body.crash).toBe('after_effect_before_ack');
    expect(await orderServiceFaults()).toEqual({ crash: 'none' });
    expect((await put({ crash: 'after_commit_before_publish' })).body.faults.crash).toBe('after_commit_before_publish');
    expect((await paymentServiceFaults()).body.crash).toBe('none');
    expect(await orderServiceFaults()).toEqual({ crash: 'after_commit_before_publish' });
    expect((await gateway('POST', '/reset')).body.faults.crash).toBe('none');
    expect(await orderServiceFaults()).toEqual({ crash: 'none' });
  });

  it('when a PUT sets a fault, then its service holds it and GET reads it from there; when reset, then every service has it off', async () => {
    const changed = await put({ payment_hang: true, broker_down: false });
    expect(changed.status).toBe(200);
    expect(changed.body.faults.payment_hang).toBe(true);
    expect((await paymentServiceFaults()).body).toEqual({ payment_hang: true, crash: 'none' });
    // The service's truth wins: changed behind the gateway's back, GET says so.
    expect((await paymentServiceFaults({ payment_hang: false })).status).toBe(200);
    expect((await faults()).body.faults.payment_hang).toBe(false);
    await put({ payment_hang: true });
    const reset = await gateway('POST', '/reset');
    expect(reset.status).toBe(200);
    expect(reset.body.faults.payment_hang).toBe(false);
    expect((await paymentServiceFaults()).body).toEqual({ payment_hang: false, crash: 'none' });
  });

  it('when a service is asked for a fault it does not own, then 422 and it holds nothing new', async () => {
    const foreign = await paymentServiceFaults({ smtp_down: true });
    expect(foreign.status).toBe(422);
    expect((await paymentServiceFaults()).body).toEqual({ payment_hang: false, crash: 'none' });
  });

  it('when /openapi.json is read at the gateway, then it documents the three fault operations', async () => {
    const paths = (await call(test.gateway, 'GET', '/openapi.json')).body.paths;
    expect(Object.keys(paths['/api/lab/faults'])).toEqual(expect.arrayContaining(['get', 'put']));
    expect(paths['/api/lab/faults/reset']).toHaveProperty('post');
  });

  it("when stock_db_delay_ms is set, then product-service sleeps inside PostgreSQL and the order's 3_reserve_inventory lasts at least the delay", async () => {
    const delayMs = 600;
    expect((await put({ stock_db_delay_ms: delayMs })).status).toBe(200);
    const { buyer, accepted } = await newOrder();
    let seen = 0;
    for (let i = 0; i < 100 && seen === 0; i++) {
      const [row] = await queryService<{ n: number }>(
        test as MicroLab,
        'product-service',
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query ILIKE '%pg_sleep%'`,
      );
      seen = row.n;
      if (seen === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toBe(1);
    const order = await waitFinal(test.gateway, buyer.token, accepted.body.id);
    expect(order.status).toBe('confirmed');
    const step = order.steps.find((s: { name: string }) => s.name === '3_reserve_inventory');
    expect(step).toMatchObject({ service: 'product-service' });
    expect(step.duration_ms).toBeGreaterThanOrEqual(delayMs);
    await gateway('POST', '/reset');
  });

  it('when hop_delay_ms is set, then every service behind the gateway holds it, and each call and event delivery of a checkout waits that long', async () => {
    const delayMs = 400;
    expect((await put({ hop_delay_ms: delayMs })).body.faults.hop_delay_ms).toBe(delayMs);
    for (const service of [
      'order-service',
      'cart-service',
      'product-service',
      'payment-service',
      'email-service',
    ] as const) {
      const held = await call(test.stack.services[service].url, 'GET', '/internal/lab/delivery', {
        headers: internalHeaders(null, { secret: test.internalSecret }),
      });
      expect(held.body, service).toEqual({ hop_delay_ms: delayMs, redelivery_rate: 0 });
    }
    const { buyer, accepted } = await newOrder();
    const order = await waitFinal(test.gateway, buyer.token, accepted.body.id);
    expect(order.status).toBe('confirmed');
    const step = (name: string) => order.steps.find((s: { name: string }) => s.name === name);
    const startOf = (name: string) => Date.parse(step(name).started_at);
    // order-service takes the cart from cart-service over HTTP inside accept_checkout: one call.
    expect(step('accept_checkout').duration_ms).toBeGreaterThanOrEqual(delayMs);
    // order.order.created reaches product-service: one delivery.
    expect(startOf('3_reserve_inventory') - startOf('accept_checkout')).toBeGreaterThanOrEqual(delayMs);
    // product.stock.reserved to order-service, then order.payment.requested to payment-service: two deliveries.
    expect(startOf('6_process_payment') - startOf('3_reserve_inventory')).toBeGreaterThanOrEqual(2 * delayMs);
    expect((await gateway('POST', '/reset')).body.faults.hop_delay_ms).toBe(0);
  });

  it('when redelivery_rate is 1, then every consumed event is delivered a second time and the idempotent consumers absorb it: one payment, one email', async () => {
    const deliveries = async (service: 'payment-service' | 'email-service') =>
      (
        await call(test.stack.services[service].url, 'GET', '/internal/lab/deliveries', {
          headers: internalHeaders(null, { secret: test.internalSecret }),
        })
      ).body as { redelivered: number; duplicates_skipped: number };
    const before = { payment: await deliveries('payment-service'), email: await deliveries('email-service') };
    expect((await put({ redelivery_rate: 1 })).body.faults.redelivery_rate).toBe(1);
    const { buyer, accepted } = await newOrder();
    const order = await waitFinal(test.gateway, buyer.token, accepted.body.id);
    expect(order.status).toBe('confirmed');
    // The copies come after the acks: wait until both consumers have met theirs, and skipped it.
    let after = before;
    for (let i = 0; i < 100; i++) {
      after = { payment: await deliveries('payment-service'), email: await deliveries('email-service') };
      if (
        after.payment.duplicates_skipped > before.payment.duplicates_skipped &&
        after.email.duplicates_skipped > before.email.duplicates_skipped
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(after.payment.redelivered).toBeGreaterThan(before.payment.redelivered);
    expect(after.email.redelivered).toBeGreaterThan(before.email.redelivered);
    expect(after.payment.duplicates_skipped).toBeGreaterThan(before.payment.duplicates_skipped);
    expect(after.email.duplicates_skipped).toBeGreaterThan(before.email.duplicates_skipped);
    const audit = (await call(test.gateway, 'GET', '/api/lab/audit', { token: admin })).body;
    expect(audit.orders.find((o: { id: number }) => o.id === order.id)).toMatchObject({ payments: 1, emails: 1 });
    const subject = confirmationSubject('microservices', order.id);
    expect((await test.mail?.mailbox.list())?.filter((mail) => mail.subject === subject)).toHaveLength(1);
    expect((await gateway('POST', '/reset')).body.faults.redelivery_rate).toBe(0);
  });
});
