import { KnobsPatchSchema, SinceQuerySchema } from '@checkout-lab/contract';
import { parseInput, patternsNotApplicable, route } from '@checkout-lab/kit';
import { Router } from 'express';
import type { MonolithDeps } from '../../../shared/deps';
import { requireAdmin } from '../../users';
import { orderRepository } from '../../orders';
import { auditLab } from '../domain/audit.use-case';
import { resetLab } from '../domain/reset.use-case';
import { fixesRoutes } from './fixes.routes';
import { faultsRoutes } from './faults.routes';

function parseSince(query: unknown): Date | null {
  const { since } = parseInput(SinceQuerySchema, query);
  return since ? new Date(since) : null;
}

/** The lab's own endpoints: knobs, faults, reset, and the server-side record the dashboard and benchmarks read. Admin only. */
export function labRoutes(deps: MonolithDeps): Router {
  const router = Router();
  router.use('/lab', requireAdmin(deps));
  router.use(faultsRoutes(deps));
  router.use(fixesRoutes(deps));
  // The reliability patterns are the microservices' switches (docs/api.md): one transaction needs none of them.
  router.all('/lab/patterns', (_req, _res, next) => next(patternsNotApplicable()));
  router.get('/lab/config', (_req, res) => {
    res.json(deps.knobs);
  });
  router.put(
    '/lab/config',
    route((req, res) => {
      const changes = parseInput(KnobsPatchSchema, req.body);
      Object.assign(deps.knobs, changes);
      deps.log.info({ knobs: deps.knobs }, 'lab knobs changed');
      res.json(deps.knobs);
    }),
  );
  router.post(
    '/lab/reset',
    route(async (_req, res) => {
      const result = await resetLab(deps);
      deps.log.info(result, 'lab reset');
      res.json(result);
    }),
  );
  router.get(
    '/lab/orders',
    route(async (req, res) => {
      res.json(await orderRepository(deps.db).listSince(parseSince(req.query)));
    }),
  );
  router.get(
    '/lab/audit',
    route(async (req, res) => {
      res.json(await auditLab(deps, parseSince(req.query)));
    }),
  );
  return router;
}
