import { parseInput, route } from '@checkout-lab/kit';
import express, { Router } from 'express';
import { z } from 'zod';
import type { LabUseCases } from '../../domain/lab.use-case';
import { requireAdmin } from './identity.middleware';

// The same rules as the monolith's lab endpoints.
const delay = z.number().int().min(0).max(60000);
const configSchema = z
  .object({ payment_delay_ms: delay, email_delay_ms: delay, payment_failure_rate: z.number().min(0).max(1) })
  .partial()
  .strict();
const sinceSchema = z.object({ since: z.iso.datetime({ offset: true }).optional() });
// A letter's id is `<service>:<its own id>`, as GET /api/lab/dead-letters gives it. At most 100 fit the 10 kB body.
const letterIdSchema = z
  .string()
  .max(300)
  .regex(/^(user|product|cart|order|payment|email)-service:\S+$/, 'an id as GET /api/lab/dead-letters gives it');
const redriveSchema = z.object({ ids: z.array(letterIdSchema).max(100).optional() }).strict();

/** The checked `?since=` as a query string for the services ('' when absent). */
function sinceQuery(query: unknown): string {
  const { since } = parseInput(sinceSchema, query);
  return since ? `?since=${encodeURIComponent(since)}` : '';
}

/** /api/lab/*: admin only, checked at the gateway; each answer gathers what the services know. */
export function labRoutes(lab: LabUseCases): Router {
  const router = Router();
  router.use('/api/lab', requireAdmin, express.json({ limit: '10kb' }));
  const requestId = (req: express.Request) => String(req.headers['x-request-id']);

  router.get(
    '/api/lab/config',
    route(async (req, res) => {
      res.json(await lab.readConfig(requestId(req)));
    }),
  );
  router.put(
    '/api/lab/config',
    route(async (req, res) => {
      res.json(await lab.updateConfig(parseInput(configSchema, req.body), requestId(req)));
    }),
  );
  router.post(
    '/api/lab/reset',
    route(async (req, res) => {
      res.json(await lab.reset(requestId(req)));
    }),
  );
  router.get(
    '/api/lab/orders',
    route(async (req, res) => {
      res.json(await lab.orders(sinceQuery(req.query), requestId(req)));
    }),
  );
  router.get(
    '/api/lab/audit',
    route(async (req, res) => {
      res.json(await lab.audit(sinceQuery(req.query), requestId(req)));
    }),
  );
  router.get(
    '/api/lab/dead-letters',
    route(async (_req, res) => {
      res.json(await lab.listDeadLetters());
    }),
  );
  router.post(
    '/api/lab/dead-letters/redrive',
    route(async (req, res) => {
      // No body at all means "all", as an empty one does.
      const { ids } = parseInput(redriveSchema, req.body ?? {});
      res.json(await lab.redriveDeadLetters(ids));
    }),
  );
  return router;
}
