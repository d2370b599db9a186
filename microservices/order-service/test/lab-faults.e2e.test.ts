import { processStartTime } from '@checkout-lab/kit';
import { names, queueDepth } from '@checkout-lab/shared';
import { checkHistory, failingCounts, type ServiceName } from '@checkout-lab/stacks';
import {
  call,
  checkout,
  historyOf,
  login,
  type MicroLab,
  newBuyer,
  newBuyers,
  newProduct,
  queryService,
  runCheckouts,
  setFaults,
  startMicroLab,
  waitAllFinal,
  waitFinal,
} from '@checkout-lab/stacks/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The services with a broker connection, and how each one's /health words it when it is lost. */
const BROKER_HEALTH = {
  'order-service': 'disconnected',
  'payment-service': 'disconnected',
  'email-service': 'disconnected',
  'product-service': 'down',
  'cart-service': 'down',
} as const;

async function waitUntil(what: string, predicate: () => Promise<boolean> | boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The fault lab's crash and broker_down on the microservices. crash: each point is in the service that reaches it; the
 * process kills itself (SIGKILL) once, the test restarts it as the launcher would, and the outbox and the idempotent
 * consumers finish the order: final, charged once, mailed once. broker_down: every service closes its AMQP connection
 * and holds its reconnect loop (the shared RabbitMQ itself keeps running for the other test runs); the accept needs
 * no broker, the rest of the saga does.
 */
describe('the microservices under the crash and broker_down faults', () => {
  let lab: MicroLab;
  let admin: string;
  beforeAll(async () => {
    lab = await startMicroLab({ payment_delay_ms: 20, email_delay_ms: 20 });
    admin = await login(lab.gateway, lab.admin.email, lab.admin.password);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  const setCrash = async (point: string) => {
    expect((await setFaults(lab.gateway, admin, { crash: point })).crash).toBe(point);
  };
  const crashOf = async () =>
    (await call(lab.gateway, 'GET', '/api/lab/faults', { token: admin })).body.faults.crash as string;
  /** Resolves once the service's current process is gone; returns the process that died. */
  const died = async (service: ServiceName) => {
    const run = lab.stack.process(service);
    expect(run?.start).toBeTruthy();
    await waitUntil(`${service} dead`, () => processStartTime(run?.pid as number) !== run?.start);
    return run;
  };
  /** After the restart: the order and a next one final, lost 0 and duplicated 0, one payment and one mail each. */
  const judge = async (orderId: number) => {
    const buyer = await newBuyer(lab.gateway);
    const product = await newProduct(lab.gateway, admin, 1);
    const next = await checkout(lab.gateway, buyer.token, product.id);
    expect(next.status).toBe(202);
    await waitFinal(lab.gateway, buyer.token, next.body.id);
    const history = await historyOf(lab, [orderId, next.body.id]);
    const { verdict } = checkHistory(history);
    expect(failingCounts(verdict)).toEqual([]);
    expect(verdict).toMatchObject({ accepted: 2, final: 2, lost: 0, duplicated_charges: 0, duplicated_emails: 0 });
    expect(history.audit.orders.map(({ status, payments, emails }) => ({ status, payments, emails }))).toEqual([
      { status: 'confirmed', payments: 1, emails: 1 },
      { status: 'confirmed', payments: 1, emails: 1 },
    ]);
    expect(history.mails?.sort()).toEqual([orderId, next.body.id].sort());
  };

  it('when crash=after_commit_before_publish, then the checkout is accepted, order-service dies with the event unsent in its outbox; after its restart the relay publishes it and the order is confirmed, charged and mailed once', async () => {
    const buyer = await newBuyer(lab.gateway);
    const product = await newProduct(lab.gateway, admin, 1);
    await setCrash('after_commit_before_publish');
    const accepted = await checkout(lab.gateway, buyer.token, product.id);
    expect(accepted.status).toBe(202);
    const orderId = accepted.body.id as number;
    const victim = await died('order-service');
    // The order and its event committed together; the event never reached the broker.
    const [order] = await queryService(lab, 'order-service', 'SELECT status FROM orders WHERE id = $1', [orderId]);
    expect(order.status).toBe('pending');
    const unsent = await queryService(
      lab,
      'order-service',
      `SELECT type FROM outbox WHERE sent_at IS NULL AND (payload->'payload'->>'order_id')::int = $1`,
      [orderId],
    );
    expect(unsent).toEqual([{ type: 'order.order.created' }]);

    await lab.stack.restart('order-service');
    expect(lab.stack.process('order-service')?.pid).not.toBe(victim?.pid);
    // Once: the restarted service holds no crash.
    expect(await crashOf()).toBe('none');
    expect((await waitFinal(lab.gateway, buyer.token, orderId)).status).toBe('confirmed');
    await judge(orderId);
  });

  it('when crash=after_effect_before_ack, then payment-service dies with the charge recorded and the message unacked; after its restart the broker redelivers it, the consumer skips it, and the order is charged once and confirmed', async () => {
    const buyer = await newBuyer(lab.gateway);
    const product = await newProduct(lab.gateway, admin, 1);
    await setCrash('after_effect_before_ack');
    const accepted = await checkout(lab.gateway, buyer.token, product.id);
    expect(accepted.status).toBe(202);
    const orderId = accepted.body.id as number;
    const victim = await died('payment-service');
    // The charge and its record committed; the message that asked for it is back in its queue, unacked.
    const payments = await queryService(lab, 'payment-service', 'SELECT status FROM payments WHERE order_id = $1', [
      orderId,
    ]);
    expect(payments).toEqual([{ status: 'succeeded' }]);
    const queue = names(lab.prefix).queue('payment-service', 'order.payment.requested');
    await waitUntil('the request back in its queue', async () => (await queueDepth(lab.amqpUrl, queue)) === 1);

    await lab.stack.restart('payment-service');
    expect(lab.stack.process('payment-service')?.pid).not.toBe(victim?.pid);
    expect(await crashOf()).toBe('none');
    expect((await waitFinal(lab.gateway, buyer.token, orderId)).status).toBe('confirmed');
    expect(await queueDepth(lab.amqpUrl, queue)).toBe(0);
    // One charge at the provider too: the redelivery never reached it.
    const audit = (await call(lab.gateway, 'GET', '/api/lab/audit', { token: admin })).body;
    expect(audit.orders.find((o: { id: number }) => o.id === orderId)).toMatchObject({ provider_charges: 1 });
    expect(audit.orphan_charges).toEqual([]);
    await judge(orderId);
  });

  const brokerHealth = async () =>
    Object.fromEntries(
      await Promise.all(
        Object.keys(BROKER_HEALTH).map(async (service) => {
          const url = lab.stack.services[service as keyof typeof BROKER_HEALTH].url;
          return [service, (await call(url, 'GET', '/health')).body.broker];
        }),
      ),
    );
  const unsentEvents = async (ids: number[]) =>
    (
      await queryService<{ n: number }>(
        lab,
        'order-service',
        `SELECT count(*)::int AS n FROM outbox
          WHERE sent_at IS NULL AND (payload->'payload'->>'order_id')::int = ANY($1)`,
        [ids],
      )
    )[0].n;

  const setBrokerDown = async (down: boolean) => {
    expect((await setFaults(lab.gateway, admin, { broker_down: down })).broker_down).toBe(down);
  };

  it('when broker_down is on, then checkouts are accepted, their events wait in the outbox, no order is final and health says the broker is lost; when it is cleared, then every order is final, charged and mailed once', async () => {
    const product = await newProduct(lab.gateway, admin, 10);
    const buyers = await newBuyers(lab.gateway, 4);
    await setBrokerDown(true);
    expect(await brokerHealth()).toEqual(BROKER_HEALTH);
    const gatewayHealth = await call(lab.gateway, 'GET', '/health');
    expect(gatewayHealth.status).toBe(503);
    expect(gatewayHealth.body.services['order-service'].status).toBe('down');

    const { accepted, attempts } = await runCheckouts(lab.gateway, buyers, product.id, { concurrency: 2 });
    expect(accepted).toHaveLength(buyers.length);
    // Long enough for a saga that had a broker to finish several times over (each step takes 20 ms).
    await new Promise((r) => setTimeout(r, 2000));
    const waiting = await queryService<{ status: string }>(
      lab,
      'order-service',
      'SELECT status FROM orders WHERE id = ANY($1)',
      [accepted],
    );
    expect(waiting.map((order) => order.status)).toEqual(accepted.map(() => 'pending'));
    expect(await unsentEvents(accepted)).toBe(accepted.length);
    // Still down: nothing reconnected on its own meanwhile.
    expect(await brokerHealth()).toEqual(BROKER_HEALTH);

    await setBrokerDown(false);
    await waitAllFinal(lab, accepted);
    expect(await unsentEvents(accepted)).toBe(0);
    const history = await historyOf(lab, accepted, attempts);
    const { verdict } = checkHistory(history);
    expect(failingCounts(verdict)).toEqual([]);
    expect(verdict).toMatchObject({ accepted: buyers.length, final: buyers.length, lost: 0, stuck: 0 });
    expect(history.audit.orders.map(({ status, payments, emails }) => ({ status, payments, emails }))).toEqual(
      accepted.map(() => ({ status: 'confirmed', payments: 1, emails: 1 })),
    );
    expect(Object.values(await brokerHealth()).every((word) => word === 'connected' || word === 'ok')).toBe(true);
    expect((await call(lab.gateway, 'GET', '/health')).status).toBe(200);
  });
});
