import { defaultPatterns, type PatternName, type Patterns, PatternsPatchSchema } from '@checkout-lab/contract';
import type { ZodType } from 'zod';
import { AppError } from './http';

export type { PatternName, Patterns };

/**
 * The reliability patterns one microservice keeps (docs/api.md, "Reliability patterns as switches"), in memory and on
 * at start (a restart goes back to on), with the check of what the gateway sends to its /internal/lab/patterns: any
 * subset of the four, each true or false. The service reads `values` at every delivery, publish or compensation.
 */
export function ownPatterns(): { values: Patterns; update: ZodType<Partial<Patterns>> } {
  return { values: defaultPatterns(), update: PatternsPatchSchema };
}

/** The monolith's answer on /api/lab/patterns: 404 NOT_APPLICABLE, it has no outbox, consumers or saga to switch. */
export function patternsNotApplicable(): AppError {
  return new AppError({
    status: 404,
    code: 'NOT_APPLICABLE',
    message: 'The reliability patterns are the microservices’: the monolith has no outbox, consumers or saga to switch',
  });
}
