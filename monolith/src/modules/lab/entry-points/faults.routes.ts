import { faultsAnswer, parseFaultChanges, route } from '@checkout-lab/kit';
import { Router } from 'express';
import type { MonolithDeps } from '../../../shared/deps';
import { monolithFaults } from '../domain/faults';

// LESSON: The fault lab (LESSONS.md#the-fault-lab)
/**
 * The fault lab (docs/api.md, "Faults"): the faults live in deps.faults, where the step each one breaks reads them
 * at its next checkout. Mounted by labRoutes, behind its admin check.
 */
export function faultsRoutes(deps: MonolithDeps): Router {
  const router = Router();
  router.get('/lab/faults', (_req, res) => {
    res.json(faultsAnswer('monolith', deps.faults));
  });
  router.put(
    '/lab/faults',
    route((req, res) => {
      Object.assign(deps.faults, parseFaultChanges('monolith', req.body));
      deps.log.info({ faults: deps.faults }, 'lab faults changed');
      res.json(faultsAnswer('monolith', deps.faults));
    }),
  );
  router.post('/lab/faults/reset', (_req, res) => {
    Object.assign(deps.faults, monolithFaults());
    deps.log.info('lab faults cleared');
    res.json(faultsAnswer('monolith', deps.faults));
  });
  return router;
}
