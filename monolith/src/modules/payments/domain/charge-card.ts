import crypto from 'node:crypto';
import { sleep } from '../../../shared/sleep';

export interface PaymentResult {
  approved: boolean;
  provider_ref: string;
}

// LESSON: Feel the wait (LESSONS.md#feel-the-wait)
/**
 * A stand-in for a card processor: it takes payment_delay_ms to answer and declines a share of payments.
 * The monolith calls it inside the checkout transaction, so the inventory rows stay locked
 * while this sleeps.
 */
export async function chargeCard(options: {
  amount: string;
  delayMs: number;
  failureRate: number;
  random: () => number;
}): Promise<PaymentResult> {
  await sleep(options.delayMs);
  const approved = options.random() >= options.failureRate;
  return { approved, provider_ref: `sim_${crypto.randomBytes(6).toString('hex')}` };
}
