import { z } from './primitives';
import type { Stack } from './openapi';

/*
 * The fault lab (docs/api.md, "Faults"): switches that break one real part of a stack for the next checkouts, each
 * declared once here with its type, its default (off) and the stacks it applies to. GET /api/lab/faults answers a
 * stack's own catalog and the values in force; PUT /api/lab/faults changes any subset.
 */

export const FAULT_NAMES = [
  'payment_hang',
  'smtp_down',
  'email_failure_rate',
  'stock_db_delay_ms',
  'crash',
  'broker_down',
  'redelivery_rate',
  'hop_delay_ms',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/** The crash points of each stack: once, the process that reaches the point kills itself and is restarted. */
export const CRASH_POINTS = {
  monolith: ['none', 'mid_checkout'],
  microservices: ['none', 'after_commit_before_publish', 'after_effect_before_ack'],
} as const satisfies Record<Stack, readonly string[]>;
const ALL_CRASH_POINTS = ['none', 'mid_checkout', 'after_commit_before_publish', 'after_effect_before_ack'] as const;

const BOTH: Stack[] = ['monolith', 'microservices'];
const MICROSERVICES: Stack[] = ['microservices'];
const MAX_DELAY_MS = 60_000;

/** One entry of the catalog, as GET /api/lab/faults lists it. */
export const FaultSpecSchema = z
  .object({
    name: z.enum(FAULT_NAMES),
    type: z.enum(['boolean', 'number', 'enum']),
    default: z.union([z.boolean(), z.number(), z.string()]),
    min: z.number().optional(),
    max: z.number().optional(),
    values: z.array(z.string()).optional().openapi({ description: 'enum: the values this stack accepts' }),
    step: z.string().nullable().openapi({
      description: 'the monolith step where it acts (the microservices step of the same name); null: no one step',
      example: '9_send_email',
    }),
    applies_to: z.array(z.enum(['monolith', 'microservices'])),
    description: z.string(),
  })
  .openapi('FaultSpec');
export type FaultSpec = z.infer<typeof FaultSpecSchema>;

/** Every fault of the lab, on both stacks; faultCatalog(stack) is one stack's part of it. */
export const FAULT_CATALOG: FaultSpec[] = [
  {
    name: 'payment_hang',
    type: 'boolean',
    default: false,
    step: '6_process_payment',
    applies_to: BOTH,
    description: 'The provider takes the charge and never answers; the shop gives up after PAYMENT_TIMEOUT_MS.',
  },
  {
    name: 'smtp_down',
    type: 'boolean',
    default: false,
    step: '9_send_email',
    applies_to: BOTH,
    description:
      'The mail server refuses every connection (the stack’s mail transport connects where nothing listens).',
  },
  {
    name: 'email_failure_rate',
    type: 'number',
    default: 0,
    min: 0,
    max: 1,
    step: '9_send_email',
    applies_to: BOTH,
    description: 'Each SMTP send fails with a transient error (a refused connection) at this rate, 0..1.',
  },
  {
    name: 'stock_db_delay_ms',
    type: 'number',
    default: 0,
    min: 0,
    max: MAX_DELAY_MS,
    step: '3_reserve_inventory',
    applies_to: BOTH,
    description: 'Every stock statement of the reservation takes this much longer inside PostgreSQL (pg_sleep).',
  },
  {
    name: 'crash',
    type: 'enum',
    default: 'none',
    values: [...ALL_CRASH_POINTS],
    step: null,
    applies_to: BOTH,
    description:
      'Once, the process that reaches the point dies (SIGKILL on itself) and is restarted; then "none" again. ' +
      'monolith: mid_checkout (between steps 6 and 9); microservices: after_commit_before_publish (order-service), ' +
      'after_effect_before_ack (payment-service).',
  },
  {
    name: 'broker_down',
    type: 'boolean',
    default: false,
    step: null,
    applies_to: MICROSERVICES,
    description: 'The services lose the broker until it is cleared.',
  },
  {
    name: 'redelivery_rate',
    type: 'number',
    default: 0,
    min: 0,
    max: 1,
    step: null,
    applies_to: MICROSERVICES,
    description: 'A consumed message is delivered a second time at this rate, as after a lost ack.',
  },
  {
    name: 'hop_delay_ms',
    type: 'number',
    default: 0,
    min: 0,
    max: MAX_DELAY_MS,
    step: null,
    applies_to: MICROSERVICES,
    description: 'Added to every call between services and every event delivery.',
  },
];

/** The faults of one stack, with that stack's crash points. */
export function faultCatalog(stack: Stack): FaultSpec[] {
  return FAULT_CATALOG.filter((fault) => fault.applies_to.includes(stack)).map((fault) =>
    fault.name === 'crash' ? { ...fault, values: [...CRASH_POINTS[stack]] } : fault,
  );
}

const rate = z.number().min(0).max(1);
const delayMs = z.int().min(0).max(MAX_DELAY_MS);

/** PUT /api/lab/faults: any subset of the lab's faults, each with a value of its type; nothing else. */
export const FaultsPatchSchema = z
  .object({
    payment_hang: z.boolean().optional(),
    smtp_down: z.boolean().optional(),
    email_failure_rate: rate.optional(),
    stock_db_delay_ms: delayMs.optional(),
    crash: z.enum(ALL_CRASH_POINTS).optional(),
    broker_down: z.boolean().optional(),
    redelivery_rate: rate.optional(),
    hop_delay_ms: delayMs.optional(),
  })
  .strict()
  .openapi('FaultsPatch');

/** Every fault with its value, on the stacks where it applies. */
export type Faults = Required<z.infer<typeof FaultsPatchSchema>>;

/** GET, PUT /api/lab/faults and POST /api/lab/faults/reset: the values in force and this stack's catalog. */
export const FaultsSchema = z
  .object({
    faults: z
      .record(z.string(), z.union([z.boolean(), z.number(), z.string()]))
      .openapi({ description: 'each fault of this stack’s catalog by name, with its value in force' }),
    catalog: z.array(FaultSpecSchema),
  })
  .openapi('Faults');
export type FaultsAnswer = z.infer<typeof FaultsSchema>;

/** These faults at their defaults (off). */
export function defaultFaults<Name extends FaultName>(names: readonly Name[]): Pick<Faults, Name> {
  const byName = new Map(FAULT_CATALOG.map((fault) => [fault.name, fault.default]));
  return Object.fromEntries(names.map((name) => [name, byName.get(name)])) as Pick<Faults, Name>;
}
