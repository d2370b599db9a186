import { z } from 'zod';

/** The run-time knobs of this service: set from the environment at start, changed by PUT /internal/lab/config. */
export interface PaymentKnobs {
  payment_delay_ms: number;
  payment_failure_rate: number;
}

export const knobsUpdateSchema = z
  .object({
    payment_delay_ms: z.number().int().min(0).max(60_000).optional(),
    payment_failure_rate: z.number().min(0).max(1).optional(),
  })
  .strict();
