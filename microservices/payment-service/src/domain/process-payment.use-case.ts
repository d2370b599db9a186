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
  return {
    async prepare(event: LabEvent<'order.payment.requested'>): Promise<PaymentDecision> {
      const started = Date.now();
      const startedAt = new Date(started).toISOString();
      if (await paymentRepository.exists(deps.pool, event.payload.order_id)) {
        return { alreadyPaid: true, approved: false, providerRef: null, startedAt, durationMs: 0 };
      }
      const payment = await chargeCard(deps.provider, {
        orderId: event.payload.order_id,
        amount: event.payload.amount,
        delayMs: deps.knobs.payment_delay_ms,
        failureRate: deps.knobs.payment_failure_rate,
        hang: deps.faults.values.payment_hang,
      });
      return {
        alreadyPaid: false,
        approved: payment.approved,
        providerRef: payment.provider_ref,
        startedAt,
        durationMs: Date.now() - started,
      };
    },

    async record(
      event: LabEvent<'order.payment.requested'>,
      client: PoolClient,
      decision: PaymentDecision,
    ): Promise<void> {
      if (decision.alreadyPaid) return;
      const { order_id, user_id, amount } = event.payload;
      const status = decision.approved ? 'succeeded' : 'declined';
      const reason = decision.approved ? null : 'card_declined';
      const paymentId = await paymentRepository.insertOnce(client, {
        orderId: order_id,
        userId: user_id,
        amount,
        status,
        reason,
        providerRef: decision.providerRef,
      });
      if (paymentId === null) return; // another delivery recorded it first; its outcome event is in the outbox
      const timing = {
        service: 'payment-service',
        name: '6_process_payment',
        started_at: decision.startedAt,
        duration_ms: decision.durationMs,
      };
      await outbox.add(
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
