import { type PaymentProvider, requestCharge } from '@checkout-lab/kit';

export interface PaymentResult {
  approved: boolean;
  /** The provider's id of the charge (`ch_...`), kept with the payment. */
  provider_ref: string;
}

// LESSON: Feel the wait (LESSONS.md#feel-the-wait). The same slow provider as the monolith's chargeCard, but the buyer
// already has the 202, and no row lock or pooled connection is held while it waits.
// LESSON: A charge outlives a rollback (LESSONS.md#a-charge-outlives-a-rollback). Here the order is committed before
// the charge is asked, so every charge has its order; a retry after a timeout asks again with the same key.
/**
 * A call to the card provider, a process outside the shop (payment-provider/): it takes payment_delay_ms to answer
 * and declines a share of payments. payment-service calls it before it opens the transaction that records the
 * payment. The idempotency key is the order's: a redelivered request charges once. Throws lab-kit's
 * PaymentUnavailable when no answer came back within the provider's timeout: the message is then retried, and the
 * retry, with the same key, reads the charge the provider decided.
 */
export async function chargeCard(
  provider: PaymentProvider,
  options: {
    orderId: number;
    amount: string;
    delayMs: number;
    failureRate: number;
    hang: boolean;
    /** The order's by default; only the naive consumer (idempotent consumers switched off) passes another. */
    idempotencyKey?: string;
  },
): Promise<PaymentResult> {
  const charge = await requestCharge(provider, {
    idempotencyKey: options.idempotencyKey ?? `order-${options.orderId}-payment`,
    orderRef: String(options.orderId),
    amount: options.amount,
    simulate: { delay_ms: options.delayMs, failure_rate: options.failureRate, hang: options.hang },
  });
  return { approved: charge.status === 'succeeded', provider_ref: charge.id };
}
