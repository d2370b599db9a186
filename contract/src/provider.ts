import { dateTimeSchema, moneySchema, z } from './primitives';

/*
 * The payment provider's API (payment-provider/, docs/api.md "Payment provider"): the simulated card processor both
 * shops charge over HTTP. It is not a shop's API: the shops are its clients, as a real shop is a card processor's.
 * The provider parses its input with these schemas, and the shops' client (lab-kit's requestCharge) sends them.
 */

/** A merchant: the shop a charge belongs to (`monolith`, `microservices`, or a test's own name). */
export const merchantSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'lower-case letters, digits, "_", "." and "-", at most 100');

/** The Idempotency-Key header of a charge: the same key twice is the same charge, answered again. */
export const chargeKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'between 1 and 200 printable ASCII characters, no spaces');

/**
 * How the simulated processor behaves for this one charge. The shops send their lab knobs and faults here, so each
 * stack keeps its own settings while the delay and the decline happen in the provider's process.
 */
export const ChargeSimulationSchema = z
  .object({
    /** How long the processor takes before it answers. */
    delay_ms: z.int().min(0).max(60_000).default(0),
    /** The share of charges it declines, 0..1. */
    failure_rate: z.number().min(0).max(1).default(0),
    /** The fault payment_hang: it takes the charge and never answers. */
    hang: z.boolean().default(false),
  })
  .strict();

export const ChargeRequestSchema = z
  .object({
    merchant: merchantSchema,
    /** The shop's own name for what is paid: its order id. */
    order_ref: z.string().regex(/^[\w.:-]{1,100}$/, 'letters, digits, "_", ".", ":" and "-", at most 100'),
    amount: moneySchema.refine((amount) => Number(amount) > 0 && Number(amount) < 1e8, {
      message: 'more than 0.00 and below 100000000',
    }),
    simulate: ChargeSimulationSchema.default({ delay_ms: 0, failure_rate: 0, hang: false }),
  })
  .strict();

export type ChargeRequest = z.input<typeof ChargeRequestSchema>;

export const ChargeStatusSchema = z.enum(['processing', 'succeeded', 'declined', 'refunded']);

export const ChargeSchema = z.object({
  id: z.string().openapi({ example: 'ch_3f9a1c2e7b44' }),
  merchant: merchantSchema,
  order_ref: z.string(),
  amount: moneySchema,
  status: ChargeStatusSchema,
  created_at: dateTimeSchema,
});

export type Charge = z.infer<typeof ChargeSchema>;

export const ChargeListQuerySchema = z
  .object({
    merchant: merchantSchema,
    status: ChargeStatusSchema.optional(),
    since: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const MerchantResetSchema = z.object({ merchant: merchantSchema }).strict();

/** POST /v1/charges/:id/refund: the merchant whose charge it is. */
export const RefundRequestSchema = z.object({ merchant: merchantSchema }).strict();

export const chargeIdSchema = z.string().regex(/^ch_[0-9a-f]{16}$/, 'a charge id, ch_ and 16 hex digits');
