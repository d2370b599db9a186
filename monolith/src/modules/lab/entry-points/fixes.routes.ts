import { FixesPatchSchema } from '@checkout-lab/contract';
import { parseInput, route } from '@checkout-lab/kit';
import { Router } from 'express';
import type { MonolithDeps } from '../../../shared/deps';

// LESSON: Is it the architecture or the transaction? (LESSONS.md#is-it-the-architecture-or-the-transaction)
/**
 * The fix switches (docs/api.md, "Fixes"): they live in deps.fixes, read at the next checkout. With every one off the
 * checkout is the blocking one (checkout.use-case.ts); with any on, checkout-fixed.use-case.ts. Mounted by labRoutes,
 * behind its admin check.
 */
export function fixesRoutes(deps: MonolithDeps): Router {
  const router = Router();
  router.get('/lab/fixes', (_req, res) => {
    res.json(deps.fixes);
  });
  router.put(
    '/lab/fixes',
    route(async (req, res) => {
      const changes = parseInput(FixesPatchSchema, req.body ?? {});
      // The fixes with jobs need the job worker running before a checkout writes one.
      if (changes.async_email || changes.accept_then_process) await deps.jobs.start();
      Object.assign(deps.fixes, changes);
      deps.log.info({ fixes: deps.fixes }, 'fixes changed');
      res.json(deps.fixes);
    }),
  );
  return router;
}
