import { Router } from 'express';
import { jsonRoute, type LabValues, parseSince, valuesRoutes } from './http';

// LESSON: The fault lab (LESSONS.md#the-fault-lab). A service's faults live here, in its own memory, not at the gateway.
/**
 * A service's /internal/lab/* endpoints, which the gateway's admin /api/lab/* calls (the public never reaches them:
 * the gateway answers 404 for /internal, and every service closes it to callers without an internal token).
 * - `knobs`: GET and PUT /internal/lab/config. The values live in memory (a restart goes back to the environment's),
 *   a PUT changes those its body names, checked by `update`, and answers them all.
 * - `faults`: GET and PUT /internal/lab/faults, the same way: the faults of the fault lab this service owns, off
 *   at start. The gateway's /api/lab/faults checks a change against the catalog, then sends it here.
 * - `audit(since)`: GET /internal/lab/audit?since=ISO, what the order-history checker reads.
 * - `reset()`: POST /internal/lab/reset, answered `{status: 'ok', service}` and what reset() resolves to.
 */
export function internalLabRoutes<Knobs extends object, Faults extends object>(options: {
  service: string;
  knobs?: LabValues<Knobs>;
  faults?: LabValues<Faults>;
  audit: (since: Date | null) => Promise<unknown>;
  /** Empties the service's tables; what it resolves to, when an object, is added to the answer. */
  reset: () => Promise<unknown>;
}): Router {
  const router = Router();
  if (options.knobs) valuesRoutes(router, '/internal/lab/config', options.knobs);
  if (options.faults) valuesRoutes(router, '/internal/lab/faults', options.faults);
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
