import { KnobsPatchSchema, PatternsPatchSchema, RedriveSchema, SinceQuerySchema } from '@checkout-lab/contract';
import { fixesNotApplicable, parseFaultChanges, parseInput } from '@checkout-lab/kit';
import { jsonRoute } from '@checkout-lab/shared';
import express, { Router } from 'express';
import type { LabUseCases } from '../../domain/lab.use-case';
import type { PatternUseCases } from '../../domain/patterns.use-case';
import { requireAdmin } from './identity.middleware';

/** The checked `?since=` as a query string for the services ('' when absent). */
function sinceQuery(query: unknown): string {
  const { since } = parseInput(SinceQuerySchema, query);
  return since ? `?since=${encodeURIComponent(since)}` : '';
}

/** /api/lab/*: admin only, checked at the gateway; each answer gathers what the services know. */
export function labRoutes(lab: LabUseCases, patterns: PatternUseCases): Router {
  const router = Router();
  router.use('/api/lab', requireAdmin, express.json({ limit: '10kb' }));
  // The fixes repair the monolith's one transaction (docs/api.md, "Fixes"): nothing here to switch.
  router.all('/api/lab/fixes', (_req, _res, next) => next(fixesNotApplicable()));
  const requestId = (req: express.Request) => String(req.headers['x-request-id']);

  router.get(
    '/api/lab/config',
    jsonRoute((req) => lab.readConfig(requestId(req))),
  );
  router.put(
    '/api/lab/config',
    jsonRoute((req) => lab.updateConfig(parseInput(KnobsPatchSchema, req.body), requestId(req))),
  );
  router.get(
    '/api/lab/faults',
    jsonRoute((req) => lab.readFaults(requestId(req))),
  );
  router.put(
    '/api/lab/faults',
    jsonRoute((req) => lab.updateFaults(parseFaultChanges('microservices', req.body), requestId(req))),
  );
  router.post(
    '/api/lab/faults/reset',
    jsonRoute((req) => lab.resetFaults(requestId(req))),
  );
  router.get(
    '/api/lab/patterns',
    jsonRoute((req) => patterns.readPatterns(requestId(req))),
  );
  router.put(
    '/api/lab/patterns',
    jsonRoute((req) => patterns.updatePatterns(parseInput(PatternsPatchSchema, req.body ?? {}), requestId(req))),
  );
  router.post(
    '/api/lab/reset',
    jsonRoute((req) => lab.reset(requestId(req))),
  );
  router.get(
    '/api/lab/orders',
    jsonRoute((req) => lab.orders(sinceQuery(req.query), requestId(req))),
  );
  router.get(
    '/api/lab/audit',
    jsonRoute((req) => lab.audit(sinceQuery(req.query), requestId(req))),
  );
  router.get(
    '/api/lab/dead-letters',
    jsonRoute(() => lab.listDeadLetters()),
  );
  router.post(
    '/api/lab/dead-letters/redrive',
    // No body at all means "all", as an empty one does.
    jsonRoute((req) => lab.redriveDeadLetters(parseInput(RedriveSchema, req.body ?? {}).ids)),
  );
  return router;
}
