import fs from 'node:fs';
import { DEFAULT_RETRY_DELAYS_MS, type LabEvent, makeEvent, names } from '@checkout-lab/shared';
import { type CheckoutAttempt, checkHistory, type ServiceName, type Verdict } from '@checkout-lab/stacks';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  checkout,
  historyOf,
  internalHeaders,
  login,
  type MicroLab,
  newBuyer,
  newProduct,
  queryService,
  startTestStack,
  stockOf,
  type TestStack,
  waitAllFinal,
} from '@checkout-lab/stacks/testing';

const ALL_ON = { outbox: true, idempotent_consumers: true, dead_letters: true, compensation: true };

/**
 * The reliability patterns as switches (docs/api.md): the gateway keeps none; it sends each switch to the services
 * that run the pattern and reads it back from them. Off runs the naive variant written beside the real one.
 */
describe('the reliability patterns of the microservices', () => {
  let test: TestStack;
  let admin: string;
  beforeAll(async () => {
    // info: the services' logs say when a consumer skipped a duplicate, which the tests wait for.
    test = await startTestStack({ label: 'patterns', env: { LOG_LEVEL: 'info' } });
    admin = await login(test.gateway, test.admin.email, test.admin.password);
  });
  afterAll(async () => {
    await test?.stop();
  });
  const lab = () => test as MicroLab;
  const patterns = (body?: unknown) =>
    call(test.gateway, body === undefined ? 'GET' : 'PUT', '/api/lab/patterns', { token: admin, body });
  /** What one service itself holds, asked as the gateway would. */
  const heldBy = async (service: 'order-service' | 'cart-service') =>
    (
      await call(test.stack.services[service].url, 'GET', '/internal/lab/patterns', {
        headers: internalHeaders(null, { secret: test.internalSecret }),
      })
    ).body;

  const adminCall = (method: string, path: string, body?: unknown) =>
    call(test.gateway, method, path, { token: admin, body });

  /** `count` buyers check out one unit each of a new product of `stock` units, one after the other. */
  async function placeOrders(count: number, stock = 10) {
    const product = await newProduct(test.gateway, admin, stock);
    const attempts: CheckoutAttempt[] = [];
    for (let n = 0; n < count; n++) {
      const buyer = await newBuyer(test.gateway);
      const answer = await checkout(test.gateway, buyer.token, product.id);
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      const items = [{ product_id: product.id, quantity: 1 }];
      attempts.push({ buyer: buyer.email, outcome: 'accepted', status: 202, orderId: answer.body.id, items });
    }
    return { productId: product.id, stock, attempts, ids: attempts.map((a) => a.orderId as number) };
  }

  /**
   * The checker's verdict on these orders: the services' own tables (historyOf), with the provider's charges and the
   * stock now from GET /api/lab/audit, against the product's stock before the run.
   */
  async function verdictOf(run: Awaited<ReturnType<typeof placeOrders>>): Promise<Verdict> {
    const history = await historyOf(lab(), run.ids, run.attempts);
    const audit = (await adminCall('GET', '/api/lab/audit')).body as {
      orders: { id: number; provider_charges: number }[];
      products: { id: number; name: string; stock: number }[];
    };
    const charges = new Map(audit.orders.map((order) => [order.id, order.provider_charges]));
    return checkHistory({
      ...history,
      audit: {
        orders: history.audit.orders.map((order) => ({ ...order, provider_charges: charges.get(order.id) ?? 0 })),
        products: audit.products,
      },
      initialStock: { [run.productId]: run.stock },
    }).verdict;
  }

  /** What a service wrote to its log (pino's JSON lines), matching `match`. */
  const logOf = (service: ServiceName, match: (line: Record<string, unknown>) => boolean) =>
    fs
      .readFileSync(test.stack.services[service].logFile, 'utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      })
      .filter(match);

  /** Puts a message straight into a service's queue for that routing key, as the relay or a redelivery would. */
  async function deliverTo(service: ServiceName, event: { id: string; type: string }, body = JSON.stringify(event)) {
    const connection = await amqp.connect(test.amqpUrl);
    try {
      const channel = await connection.createConfirmChannel();
      channel.sendToQueue(names(test.prefix).queue(service, event.type), Buffer.from(body), {
        persistent: true,
        contentType: 'application/json',
        messageId: event.id,
        type: event.type,
      });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
  }

  /** The event order-service wrote to its outbox for this order (and the relay published). */
  async function outboxEvent(type: string, orderId: number): Promise<LabEvent> {
    const rows = await queryService<{ payload: LabEvent }>(
      lab(),
      'order-service',
      `SELECT payload FROM outbox WHERE type = $1 AND (payload->'payload'->>'order_id')::int = $2`,
      [type, orderId],
    );
    expect(rows).toHaveLength(1);
    return rows[0].payload;
  }

  describe('the API', () => {
    it('when the admin reads the patterns, then all four are on', async () => {
      const answer = await patterns();
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(ALL_ON);
    });

    it('when the admin switches a subset, then those change, in the services that run them, and are read back', async () => {
      const answer = await patterns({ compensation: false, dead_letters: false });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ ...ALL_ON, compensation: false, dead_letters: false });
      expect(await heldBy('order-service')).toMatchObject({ compensation: false, dead_letters: false });
      // cart-service runs no saga: only the switch it uses reached it.
      expect(await heldBy('cart-service')).toMatchObject({ compensation: true, dead_letters: false });
      expect((await patterns()).body).toEqual({ ...ALL_ON, compensation: false, dead_letters: false });
      expect((await patterns({ compensation: true, dead_letters: true })).body).toEqual(ALL_ON);
    });

    it('when the body names an unknown pattern or a bad value, then 422 VALIDATION_ERROR and nothing changes', async () => {
      for (const body of [{ outbox: 'off' }, { sagas: false }, { outbox: false, retries: 3 }, [false]]) {
        const answer = await patterns(body);
        expect(answer.status, JSON.stringify(body)).toBe(422);
        expect(answer.body.error.code).toBe('VALIDATION_ERROR');
      }
      expect((await patterns()).body).toEqual(ALL_ON);
    });

    it('when someone other than the admin asks, then 401 without a token and 403 for a buyer', async () => {
      const buyer = await newBuyer(test.gateway);
      expect((await call(test.gateway, 'GET', '/api/lab/patterns')).status).toBe(401);
      expect((await call(test.gateway, 'GET', '/api/lab/patterns', { token: buyer.token })).status).toBe(403);
      const put = await call(test.gateway, 'PUT', '/api/lab/patterns', { token: buyer.token, body: { outbox: false } });
      expect(put.status).toBe(403);
      expect((await patterns()).body).toEqual(ALL_ON);
    });

    it('when a service restarts, then its switches are back on, and the pattern reads off until it is on everywhere', async () => {
      expect((await patterns({ idempotent_consumers: false })).body.idempotent_consumers).toBe(false);
      await test.stack.restart('cart-service');
      // cart-service is back on, the others still off: the pattern is not in force everywhere, so it reads false.
      expect(await heldBy('cart-service')).toMatchObject({ idempotent_consumers: true });
      expect((await patterns()).body.idempotent_consumers).toBe(false);
      expect((await patterns({ idempotent_consumers: true })).body).toEqual(ALL_ON);
    });
  });

  describe('the outbox', () => {
    afterAll(async () => {
      await adminCall('PUT', '/api/lab/faults', { broker_down: false });
      await patterns({ outbox: true });
    });

    /** broker_down (the fault lab): every service loses the broker; cleared, they reconnect. */
    async function brokerDown(down: boolean) {
      const answer = await adminCall('PUT', '/api/lab/faults', { broker_down: down });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      if (!down) await until(async () => (await call(test.gateway, 'GET', '/health')).status === 200);
    }

    it('when it is off and the broker is gone as orders are accepted, then their events are lost: stuck', async () => {
      expect((await patterns({ outbox: false })).body.outbox).toBe(false);
      await brokerDown(true);
      const run = await placeOrders(2);
      await brokerDown(false);
      // The broker is back and an order accepted now goes through: the two before it have nothing left to send.
      const after = await placeOrders(1);
      await waitAllFinal(lab(), after.ids);
      const rows = await queryService(lab(), 'order-service', 'SELECT 1 FROM outbox');
      expect(rows).toEqual([]);
      const lost = logOf('order-service', (line) => String(line.msg).includes('the event is lost'));
      expect(lost.length).toBeGreaterThanOrEqual(2);
      expect(await verdictOf(run)).toMatchObject({ accepted: 2, final: 0, stuck: 2 });
    });

    it('when it is on and the broker is gone as orders are accepted, then the relay sends them once it is back', async () => {
      expect((await patterns({ outbox: true })).body.outbox).toBe(true);
      await brokerDown(true);
      const run = await placeOrders(2);
      await brokerDown(false);
      await waitAllFinal(lab(), run.ids);
      expect(await verdictOf(run)).toMatchObject({ accepted: 2, final: 2, stuck: 0, lost: 0 });
    });
  });

  describe('idempotent consumers', () => {
    afterAll(async () => {
      await patterns({ idempotent_consumers: true });
    });

    /**
     * One confirmed order, then the two events that charge and mail it delivered a second time with the same ids, as
     * a lost ack would: straight into payment-service's and email-service's queues.
     */
    async function orderDeliveredTwice() {
      const run = await placeOrders(1);
      await waitAllFinal(lab(), run.ids);
      const [orderId] = run.ids;
      const requested = await outboxEvent('order.payment.requested', orderId);
      const paid = await outboxEvent('order.order.paid', orderId);
      await deliverTo('payment-service', requested);
      await deliverTo('email-service', paid);
      return { run, orderId, requested, paid };
    }

    const chargesOf = async (orderId: number) =>
      (await adminCall('GET', '/api/lab/audit')).body.orders.find((order: { id: number }) => order.id === orderId)
        ?.provider_charges ?? 0;
    const sendsOf = async (orderId: number) =>
      (await queryService(lab(), 'email-service', 'SELECT 1 FROM email_sends WHERE order_id = $1', [orderId])).length;

    it('when they are off and an event is delivered twice, then the card is charged twice and the buyer mailed twice', async () => {
      expect((await patterns({ idempotent_consumers: false })).body.idempotent_consumers).toBe(false);
      const { run, orderId } = await orderDeliveredTwice();
      await until(async () => (await chargesOf(orderId)) >= 2 && (await sendsOf(orderId)) >= 2);
      const verdict = await verdictOf(run);
      expect(verdict).toMatchObject({ accepted: 1, final: 1, duplicated_charges: 1, duplicated_emails: 1 });
      // The shop's own table was saved by its UNIQUE (order_id); the provider, outside it, was not.
      const payments = await queryService(lab(), 'payment-service', 'SELECT 1 FROM payments WHERE order_id = $1', [
        orderId,
      ]);
      expect(payments).toHaveLength(1);
    });

    it('when they are on and an event is delivered twice, then the copy is skipped: one charge, one mail', async () => {
      expect((await patterns({ idempotent_consumers: true })).body.idempotent_consumers).toBe(true);
      const { run, requested, paid } = await orderDeliveredTwice();
      const skipped = (service: ServiceName, id: string) =>
        logOf(service, (line) => line.event_id === id && line.msg === 'duplicate event skipped').length > 0;
      await until(async () => skipped('payment-service', requested.id) && skipped('email-service', paid.id));
      const verdict = await verdictOf(run);
      expect(verdict).toMatchObject({ accepted: 1, final: 1, duplicated_charges: 0, duplicated_emails: 0 });
    });
  });

  describe('dead letters', () => {
    afterAll(async () => {
      await patterns({ dead_letters: true });
    });

    /**
     * A poison message: a well-formed envelope whose order id is not a number, so order-service's handler fails on
     * every delivery (PostgreSQL refuses the id), as an event from a buggy publisher would.
     */
    async function deliverPoison() {
      const poison = makeEvent(
        'product.stock.reserved',
        {
          order_id: 'not-a-number' as unknown as number,
          items: [],
          timing: { service: 'product-service', name: '3_reserve_inventory', started_at: '', duration_ms: 0 },
        },
        { correlationId: 'poison' },
      );
      await deliverTo('order-service', poison);
      return poison;
    }
    const deadLettersOf = async (id: string) =>
      ((await adminCall('GET', '/api/lab/dead-letters')).body as { event: { id?: string }; attempts: number }[]).filter(
        (letter) => letter.event?.id === id,
      );
    const roundsOf = (id: string) =>
      logOf('order-service', (line) => line.message_id === id).map((line) => Number(line.retry));

    it('when they are off, then a poison message goes round past its retry limit and is never parked; on again, it is', async () => {
      expect((await patterns({ dead_letters: false })).body.dead_letters).toBe(false);
      const poison = await deliverPoison();
      // Past the retries it would have had (DEFAULT_RETRY_DELAYS_MS), twice more.
      const limit = DEFAULT_RETRY_DELAYS_MS.length;
      await until(async () => Math.max(0, ...roundsOf(poison.id)) >= limit + 2, 60_000);
      expect(await deadLettersOf(poison.id)).toEqual([]);
      // Switched back on, its next failure is past the limit: it is parked, and the loop ends.
      await patterns({ dead_letters: true });
      await until(async () => (await deadLettersOf(poison.id)).length === 1);
    });

    it('when they are on, then a poison message is parked in the dead letters after its retries', async () => {
      expect((await patterns()).body.dead_letters).toBe(true);
      const poison = await deliverPoison();
      await until(async () => (await deadLettersOf(poison.id)).length === 1, 60_000);
      const [letter] = await deadLettersOf(poison.id);
      expect(letter.attempts).toBe(DEFAULT_RETRY_DELAYS_MS.length + 1);
      expect(roundsOf(poison.id)).toEqual([]);
    });
  });

  describe('compensation', () => {
    afterAll(async () => {
      await adminCall('PUT', '/api/lab/config', { payment_failure_rate: 0 });
      await patterns({ compensation: true });
    });

    it('when it is off and every payment is declined, then the reserved stock never comes back: stock_drift', async () => {
      await adminCall('PUT', '/api/lab/config', { payment_failure_rate: 1 });
      expect((await patterns({ compensation: false })).body.compensation).toBe(false);
      const run = await placeOrders(2, 5);
      await waitAllFinal(lab(), run.ids);
      const orders = await queryService(
        lab(),
        'order-service',
        'SELECT status, failure_reason FROM orders WHERE id = ANY($1)',
        [run.ids],
      );
      expect(orders).toEqual(run.ids.map(() => ({ status: 'cancelled', failure_reason: 'payment_declined' })));
      // No compensation was ever sent (the outbox is on: what the saga wrote is all there), so none can arrive late.
      const cancelled = await queryService(
        lab(),
        'order-service',
        `SELECT 1 FROM outbox WHERE type = 'order.order.cancelled' AND (payload->'payload'->>'order_id')::int = ANY($1)`,
        [run.ids],
      );
      expect(cancelled).toEqual([]);
      expect(await stockOf(test.gateway, run.productId)).toBe(3);
      const verdict = await verdictOf(run);
      expect(verdict).toMatchObject({ accepted: 2, final: 2, stock_drift: 1, lost: 0, stuck: 0 });
    });

    it('when it is on and every payment is declined, then the stock goes back: no stock_drift', async () => {
      await adminCall('PUT', '/api/lab/config', { payment_failure_rate: 1 });
      expect((await patterns({ compensation: true })).body.compensation).toBe(true);
      const run = await placeOrders(2, 5);
      await waitAllFinal(lab(), run.ids);
      await until(async () => (await stockOf(test.gateway, run.productId)) === 5);
      expect(await verdictOf(run)).toMatchObject({ accepted: 2, final: 2, stock_drift: 0, lost: 0, stuck: 0 });
    });
  });
});

/** Polls `check` until it holds, or fails after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
