import { setTimeout } from 'node:timers/promises';

export interface PaymentResult {
  approved: boolean;
}

// LESSON: Feel the wait (LESSONS.md#feel-the-wait). The same slow provider as the monolith's chargeCard, but the buyer
// already has the 202, and no row lock or pooled connection is held while it sleeps.
/**
 * A stand-in for a card processor: it takes payment_delay_ms to answer and declines a share of payments.
 * payment-service calls it before it opens the transaction that records the payment, so nothing waits on it.
 */
export async function chargeCard(options: {
  amount: string;
  delayMs: number;
  failureRate: number;
  random: () => number;
}): Promise<PaymentResult> {
  await setTimeout(options.delayMs);
  return { approved: options.random() >= options.failureRate };
}
