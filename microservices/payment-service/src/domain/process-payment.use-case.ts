import crypto from 'node:crypto';
import { crashAt, type Logger, type PaymentProvider } from '@checkout-lab/kit';
import { followEvent, type LabEvent, outbox, type Pool, type PoolClient } from '@checkout-lab/shared';
import { paymentRepository } from '../data-access/payment.repository';
import { chargeCard } from './charge-card';
import type { PaymentFaults, PaymentKnobs } from './knobs';

export interface PaymentDecision {
  alreadyPaid: boolean;
  approved: boolean;
  /** The provider's charge id; null when the order was already paid. */
  providerRef: string | null;
  startedAt: string;
  durationMs: number;
}

/**
 * Step 6_process_payment, in two halves. prepare() is the slow call to the card provider, chargeCard, done with no
 * database connection held (when it gets no answer it throws, and the message is retried with backoff); record() then stores the payment and its outcome event in one transaction,
 * with the event id the adapter recorded. UNIQUE (order_id) makes "exactly one payment per order" hold even if the
 * same request arrives twice under different event ids.
 */
export function processPaymentUseCase(deps: {
  pool: Pool;
  knobs: PaymentKnobs;
  faults: PaymentFaults;
  provider: PaymentProvider;
  log: Logger;
}) {
  /** Step 6's call to the card provider, timed, with the order's idempotency key unless another is given. */
  async function charge(event: LabEvent<'order.payment.requested'>, idempotencyKey?: string): Promise<PaymentDecision> {
    const started = Date.now();
    const payment = await chargeCard(deps.provider, {
      orderId: event.payload.order_id,
      amount: event.payload.amount,
      delayMs: deps.knobs.payment_delay_ms,
      failureRate: deps.knobs.payment_failure_rate,
      hang: deps.faults.values.payment_hang,
      idempotencyKey,
    });
    return {
      alreadyPaid: false,
      approved: payment.approved,
      providerRef: payment.provider_ref,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
    };
  }

  /** The payment's outcome event, into the outbox of the transaction that recorded the payment. */
  function announce(
    event: LabEvent<'order.payment.requested'>,
    client: PoolClient,
    decision: PaymentDecision,
    paymentId: number,
  ): Promise<void> {
    const { order_id, amount } = event.payload;
    const timing = {
      service: 'payment-service',
      name: '6_process_payment',
      started_at: decision.startedAt,
      duration_ms: decision.durationMs,
    };
    return outbox.add(
      client,
      decision.approved
        ? followEvent(event, 'payment.payment.processed', { order_id, payment_id: paymentId, amount, timing })
        : followEvent(event, 'payment.payment.declined', {
            order_id,
            payment_id: paymentId,
            amount,
            reason: 'card_declined',
            timing,
          }),
    );
  }

  /** The payment row record() writes, from the request and the provider's decision. */
  const paymentOf = (event: LabEvent<'order.payment.requested'>, decision: PaymentDecision) => ({
    orderId: event.payload.order_id,
    userId: event.payload.user_id,
    amount: event.payload.amount,
    status: decision.approved ? ('succeeded' as const) : ('declined' as const),
    reason: decision.approved ? null : 'card_declined',
    providerRef: decision.providerRef,
  });

  return {
    async prepare(event: LabEvent<'order.payment.requested'>): Promise<PaymentDecision> {
      if (await paymentRepository.exists(deps.pool, event.payload.order_id)) {
        return {
          alreadyPaid: true,
          approved: false,
          providerRef: null,
          startedAt: new Date().toISOString(),
          durationMs: 0,
        };
      }
      return charge(event);
    },

    async record(
      event: LabEvent<'order.payment.requested'>,
      client: PoolClient,
      decision: PaymentDecision,
    ): Promise<void> {
      if (decision.alreadyPaid) return;
      const paymentId = await paymentRepository.insertOnce(client, paymentOf(event, decision));
      if (paymentId === null) return; // another delivery recorded it first; its outcome event is in the outbox
      await announce(event, client, decision, paymentId);
    },

    // LESSON: Switch off idempotent consumers (LESSONS.md#switch-off-idempotent-consumers)
    /**
     * prepare() and record() as they would be written
     * without idempotency, run while idempotent consumers are switched off: no look for an earlier payment, and a
     * fresh idempotency key for every delivery instead of the order's, so the provider takes each delivery for a new
     * payment and charges again. The plain INSERT then meets UNIQUE (order_id): the shop's table keeps one payment
     * and the delivery fails (and is retried, and charges again), but the card was charged by then: the constraint
     * guards the shop's rows, not the world outside.
     */
    prepareWithoutDedup(event: LabEvent<'order.payment.requested'>): Promise<PaymentDecision> {
      return charge(event, `delivery-${crypto.randomUUID()}`);
    },

    async recordWithoutDedup(
      event: LabEvent<'order.payment.requested'>,
      client: PoolClient,
      decision: PaymentDecision,
    ): Promise<void> {
      const paymentId = await paymentRepository.insert(client, paymentOf(event, decision));
      await announce(event, client, decision, paymentId);
    },

    /** Once record() has committed, before the message is acked. */
    afterRecorded(): void {
      // LESSON: A crash in the middle of a checkout (LESSONS.md#a-crash-in-the-middle-of-a-checkout). With the fault
      // crash=after_effect_before_ack the process dies here: charged, recorded, its event in the outbox, the message
      // not acked. The broker redelivers it to the restarted service, and the idempotent consumer skips it: one charge.
      crashAt('after_effect_before_ack', deps.faults.values, deps.log);
    },
  };
}
