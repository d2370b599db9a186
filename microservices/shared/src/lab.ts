import { parseInput } from '@checkout-lab/kit';
import { Router } from 'express';
import type { z } from 'zod';
import { jsonRoute, parseSince } from './http';

/**
 * A service's /internal/lab/* endpoints, which the gateway's admin /api/lab/* calls (the public never reaches them:
 * the gateway answers 404 for /internal, and every service closes it to callers without an internal token).
 * - `knobs`: GET and PUT /internal/lab/config. The values live in memory (a restart goes back to the environment's),
 *   a PUT changes those its body names, checked by `update`, and answers them all.
 * - `audit(since)`: GET /internal/lab/audit?since=ISO, what the order-history checker reads.
 * - `reset()`: POST /internal/lab/reset, answered `{status: 'ok', service}` and what reset() resolves to.
 */
export function internalLabRoutes<Knobs extends object>(options: {
  service: string;
  knobs?: { values: Knobs; update: z.ZodType<Partial<Knobs>> };
  audit: (since: Date | null) => Promise<unknown>;
  /** Empties the service's tables; what it resolves to, when an object, is added to the answer. */
  reset: () => Promise<unknown>;
}): Router {
  const router = Router();
  const { knobs } = options;
  if (knobs) {
    router.get(
      '/internal/lab/config',
      jsonRoute(() => ({ ...knobs.values })),
    );
    router.put(
      '/internal/lab/config',
      jsonRoute((req) => {
        Object.assign(knobs.values, parseInput(knobs.update, req.body ?? {}));
        return { ...knobs.values };
      }),
    );
  }
  router.get(
    '/internal/lab/audit',
    jsonRoute((req) => options.audit(parseSince(req.query.since))),
  );
  router.post(
    '/internal/lab/reset',
    jsonRoute(async () => {
      const more = await options.reset();
      return { status: 'ok', service: options.service, ...(typeof more === 'object' ? more : {}) };
    }),
  );
  return router;
}
