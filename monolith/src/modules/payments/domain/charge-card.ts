import { type PaymentProvider, requestCharge } from '@checkout-lab/kit';

export interface PaymentResult {
  approved: boolean;
  /** The provider's id of the charge (`ch_...`), kept with the payment. */
  provider_ref: string;
}

// LESSON: Feel the wait (LESSONS.md#feel-the-wait)
/**
 * A call to the card provider, a process outside the shop (payment-provider/): it takes payment_delay_ms to answer
 * and declines a share of payments. The monolith calls it inside the checkout transaction, so the inventory rows stay
 * locked while it waits. The idempotency key is the order's: asked twice for one order, the provider charges once.
 * Throws lab-kit's PaymentUnavailable when no answer came back within the provider's timeout.
 */
export async function chargeCard(
  provider: PaymentProvider,
  options: { orderId: number; amount: string; delayMs: number; failureRate: number; hang: boolean },
): Promise<PaymentResult> {
  const charge = await requestCharge(provider, {
    idempotencyKey: `order-${options.orderId}-payment`,
    orderRef: String(options.orderId),
    amount: options.amount,
    simulate: { delay_ms: options.delayMs, failure_rate: options.failureRate, hang: options.hang },
  });
  return { approved: charge.status === 'succeeded', provider_ref: charge.id };
}
