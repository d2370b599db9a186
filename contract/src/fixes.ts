import { z } from './primitives';

/*
 * The monolith's fix switches (docs/api.md "Fixes"): each repairs one cause of the blocking checkout's wait, at run
 * time, so a student makes the fixes one at a time and measures what each buys. All off is the blocking checkout.
 */
export const FIX_NAMES = ['short_lock', 'payment_outside_transaction', 'async_email', 'accept_then_process'] as const;
export type FixName = (typeof FIX_NAMES)[number];

export const FixesSchema = z
  .object({
    short_lock: z.boolean().openapi({
      description:
        'stock taken by one atomic conditional UPDATE, committed at once, instead of FOR UPDATE until COMMIT',
    }),
    payment_outside_transaction: z.boolean().openapi({
      description: 'reserve and commit, then charge, then record; a decline or a later failure gives the stock back',
    }),
    async_email: z.boolean().openapi({
      description: 'the email is a job written in the order’s transaction and sent after commit, with retries',
    }),
    accept_then_process: z.boolean().openapi({
      description: '202 with Location at once; the payment runs as a job, the order goes pending → confirmed/cancelled',
    }),
  })
  .openapi('Fixes');

export type Fixes = z.infer<typeof FixesSchema>;

export const FixesPatchSchema = FixesSchema.partial().strict().openapi('FixesPatch');

export const NO_FIXES: Fixes = {
  short_lock: false,
  payment_outside_transaction: false,
  async_email: false,
  accept_then_process: false,
};
