import { PATTERN_NAMES, type PatternName, type Patterns } from '@checkout-lab/contract';
import type { ServiceClient, ServiceName } from '../data-access/service.client';

/** Every service that consumes events, with the adapter's retries, dedupe and DLQ. */
const CONSUMERS: ServiceName[] = [
  'order-service',
  'payment-service',
  'email-service',
  'product-service',
  'cart-service',
];

/**
 * The services that run each pattern, and so hold its switch (their /internal/lab/patterns, in memory, on at start):
 * the outbox in every service that writes events, the dedupe and the DLQ in every consumer, the compensation in the
 * saga. The gateway keeps none of them.
 */
const PATTERN_USERS: Record<PatternName, ServiceName[]> = {
  outbox: ['order-service', 'payment-service', 'email-service', 'product-service'],
  idempotent_consumers: CONSUMERS,
  dead_letters: CONSUMERS,
  compensation: ['order-service'],
};
const PATTERN_SERVICES = [...new Set(Object.values(PATTERN_USERS).flat())];

/** The patterns of `changes` that this service runs. */
function patternsOf(service: ServiceName, changes: Partial<Patterns>): Partial<Patterns> {
  return Object.fromEntries(
    Object.entries(changes).filter(([name]) => PATTERN_USERS[name as PatternName].includes(service)),
  );
}

/**
 * GET and PUT /api/lab/patterns: each switch goes to the services that run it, and is read back from them. A pattern
 * is reported on only while every one of them runs it: a service restarted meanwhile is back on, while the others are
 * still off, and the pattern is then not in force, so the answer says false until it is switched again.
 */
export function patternUseCases(services: ServiceClient) {
  async function readPatterns(requestId: string): Promise<Patterns> {
    const answers = new Map(
      await Promise.all(
        PATTERN_SERVICES.map(
          async (service) =>
            [
              service,
              await services.call<Partial<Patterns>>(service, 'GET', '/internal/lab/patterns', { requestId }),
            ] as const,
        ),
      ),
    );
    return Object.fromEntries(
      PATTERN_NAMES.map((name) => [
        name,
        PATTERN_USERS[name].every((service) => answers.get(service)?.[name] === true),
      ]),
    ) as Patterns;
  }

  return {
    readPatterns,

    /** The route has checked the changes; each service gets those it runs, then all are read back. */
    async updatePatterns(changes: Partial<Patterns>, requestId: string): Promise<Patterns> {
      await Promise.all(
        PATTERN_SERVICES.map((service) => {
          const body = patternsOf(service, changes);
          return Object.keys(body).length
            ? services.call(service, 'PUT', '/internal/lab/patterns', { body, requestId })
            : null;
        }),
      );
      return readPatterns(requestId);
    },
  };
}

export type PatternUseCases = ReturnType<typeof patternUseCases>;
