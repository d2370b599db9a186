import { z } from './primitives';

/*
 * The reliability patterns as switches (docs/api.md, "Reliability patterns as switches"): the four patterns that keep
 * the microservices correct when a part fails, each on by default. Off runs the naive variant written beside the
 * real one, so a student sees what the pattern prevents. The gateway only; the monolith answers 404 NOT_APPLICABLE.
 */

export const PATTERN_NAMES = ['outbox', 'idempotent_consumers', 'dead_letters', 'compensation'] as const;
export type PatternName = (typeof PATTERN_NAMES)[number];

const DESCRIPTIONS: Record<PatternName, string> = {
  outbox: 'on: each event is an outbox row of the same transaction; off: published to the broker after COMMIT',
  idempotent_consumers: 'on: a redelivered event is recognised (processed_events) and skipped; off: handled again',
  dead_letters: 'on: a message that keeps failing goes to the DLQ after its retries; off: redelivered for ever',
  compensation: 'on: a declined payment gives the reserved stock back; off: the order is cancelled and the stock kept',
};

/** GET and PUT /api/lab/patterns: every pattern, true when it is in force. */
export const PatternsSchema = z
  .object(
    Object.fromEntries(
      PATTERN_NAMES.map((name) => [name, z.boolean().openapi({ description: DESCRIPTIONS[name], example: true })]),
    ) as Record<PatternName, z.ZodBoolean>,
  )
  .strict()
  .openapi('Patterns');
export type Patterns = z.infer<typeof PatternsSchema>;

/** PUT /api/lab/patterns: any subset of the patterns, each true or false; nothing else. */
export const PatternsPatchSchema = PatternsSchema.partial().strict().openapi('PatternsPatch');

/** Every pattern on, as each service starts. */
export function defaultPatterns(): Patterns {
  return { outbox: true, idempotent_consumers: true, dead_letters: true, compensation: true };
}
