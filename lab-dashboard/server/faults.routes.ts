import { FAULT_NAMES, FaultsPatchSchema, FixesPatchSchema, PatternsPatchSchema } from '@checkout-lab/contract';
import { AppError, parseId, parseInput, route } from '@checkout-lab/kit';
import { Router } from 'express';
import { z } from 'zod';
import type { StackId } from '../shared/types';
import type { FaultScheduler } from './fault-scheduler';
import { onEachStack, pickStacks, type StackClient, StackError } from './stack-client';

const stackSchema = z.enum(['monolith', 'micro']);

const schedulerSchema = z
  .object({
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
    min_s: z.number().min(0.1).max(3600),
    max_s: z.number().min(0.1).max(3600),
    faults: z
      .array(
        z
          .object({
            stack: stackSchema,
            name: z.enum(FAULT_NAMES),
            value: z.union([z.boolean(), z.number(), z.string().max(100)]).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(32),
  })
  .strict()
  .refine((settings) => settings.max_s >= settings.min_s, { message: 'must be at least min_s', path: ['max_s'] });

/**
 * A stack's refusal of a change (422 FAULT_NOT_IMPLEMENTED, FAULT_NOT_APPLICABLE, 404 on a path it lacks) is passed
 * on with the stack's own status and code, so the page can say which; a stack that does not answer stays a 502.
 */
async function asTheStackSays<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof StackError && error.code && error.status >= 400 && error.status < 500 && error.status !== 401)
      throw new AppError({
        status: error.status,
        code: error.code,
        message: error.message,
        details: { stack: error.stack_id, reasons: error.details },
      });
    throw error;
  }
}

/**
 * The Faults view's lab API: each stack's faults (read both, change one stack, reset), the microservices' pattern
 * switches, one order as the stack's admin reads it (the verdict's ids link here), and the fault scheduler.
 */
export function faultsRouter(stacks: Record<StackId, StackClient>, scheduler: FaultScheduler): Router {
  const router = Router();
  router.get(
    '/api/lab/faults',
    route(async (_req, res) => res.json(await onEachStack(['monolith', 'micro'], (id) => stacks[id].faults()))),
  );
  router.put(
    '/api/lab/faults',
    route(async (req, res) => {
      const stack = parseInput(stackSchema, req.query.target);
      const changes = parseInput(FaultsPatchSchema, req.body);
      res.json(await asTheStackSays(() => stacks[stack].putFaults(changes)));
    }),
  );
  router.post(
    '/api/lab/faults/reset',
    route(async (req, res) => {
      const ids = pickStacks(req.query.target as string | undefined);
      res.json(await onEachStack(ids, (id) => stacks[id].resetFaults()));
    }),
  );

  router.get(
    '/api/lab/patterns',
    route(async (_req, res) => res.json(await asTheStackSays(() => stacks.micro.patterns()))),
  );
  router.put(
    '/api/lab/patterns',
    route(async (req, res) => {
      const changes = parseInput(PatternsPatchSchema, req.body);
      res.json(await asTheStackSays(() => stacks.micro.putPatterns(changes)));
    }),
  );

  // The monolith's fix switches, shown in its pane (docs/api.md, "Fixes").
  router.get(
    '/api/lab/fixes',
    route(async (_req, res) => res.json(await asTheStackSays(() => stacks.monolith.fixes()))),
  );
  router.put(
    '/api/lab/fixes',
    route(async (req, res) => {
      const changes = parseInput(FixesPatchSchema, req.body);
      res.json(await asTheStackSays(() => stacks.monolith.putFixes(changes)));
    }),
  );

  router.get(
    '/api/lab/orders/:stack/:id',
    route(async (req, res) => {
      const stack = parseInput(stackSchema, req.params.stack);
      res.json(await asTheStackSays(() => stacks[stack].order(parseId(req.params.id))));
    }),
  );

  router.get('/api/lab/scheduler', (_req, res) => {
    res.json(scheduler.snapshot());
  });
  router.post(
    '/api/lab/scheduler',
    route(async (req, res) => {
      const settings = parseInput(schedulerSchema, req.body);
      res.status(201).json(await scheduler.start(settings));
    }),
  );
  router.delete(
    '/api/lab/scheduler',
    route(async (_req, res) => res.json(await scheduler.stop())),
  );
  return router;
}
