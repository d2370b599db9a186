import { ownFaults } from '@checkout-lab/kit';
import { z } from 'zod';

/** The run-time knobs of this service: set from the environment at start, changed by PUT /internal/lab/config. */
export interface PaymentKnobs {
  payment_delay_ms: number;
  payment_failure_rate: number;
}

/**
 * The faults of the fault lab that act in this service, off at start, set by /internal/lab/faults: payment_hang in its
 * charge, and crash, whose point here is after_effect_before_ack.
 */
export const paymentFaults = () => ownFaults(['payment_hang', 'crash']);
export type PaymentFaults = ReturnType<typeof paymentFaults>;

export const knobsUpdateSchema = z
  .object({
    payment_delay_ms: z.number().int().min(0).max(60_000).optional(),
    payment_failure_rate: z.number().min(0).max(1).optional(),
  })
  .strict();
