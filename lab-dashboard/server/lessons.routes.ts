import { AppError, route } from '@checkout-lab/kit';
import { LESSONS, LabHandle, type LabAddress, type Lesson, type Step } from '@checkout-lab/lessons';
import { type Request, Router } from 'express';
import type { LessonCheck, LessonView } from '../shared/lessons';
import type { DashboardConfig } from './config';

/** The lab this dashboard serves, as a lesson's check sees it; the dashboard itself is where the request came. */
export function labAddressOf(config: DashboardConfig, dashboardUrl: string): LabAddress {
  return {
    monolith: config.monolithUrl,
    gateway: config.gatewayUrl,
    dashboard: dashboardUrl,
    mailUi: config.mailUiUrl,
    paymentProvider: config.paymentProviderUrl,
    serverUrl: config.databaseUrl,
    namePrefix: config.namePrefix,
    admin: config.admin,
  };
}

function viewOf(lesson: Lesson): LessonView {
  return {
    id: lesson.id,
    title: lesson.title,
    anchor: lesson.anchor,
    goal: lesson.goal,
    stacks: lesson.stacks,
    steps: lesson.steps.map((step) => ({
      instructions: step.instructions,
      view: step.uses.view ?? null,
      command: step.uses.command ?? null,
      hints: step.hints,
    })),
  };
}

/** The lesson and its step n (counted from 1, as the page and `npm run lesson` show them), or 404. */
function stepOf(req: Request): Step {
  const lesson = LESSONS.find((candidate) => candidate.id === req.params.id);
  const n = Number(req.params.n);
  const step = lesson && Number.isInteger(n) ? lesson.steps[n - 1] : undefined;
  if (!step) {
    throw new AppError({
      status: 404,
      code: 'NOT_FOUND',
      message: lesson ? `Lesson ${lesson.id} has no step ${req.params.n}` : `No lesson ${req.params.id}`,
    });
  }
  return step;
}

/**
 * A check (after a solve, when one is asked for) on a handle of its own. Whatever it throws (a stack that does not
 * answer, a solve the lab refused) is a failed check with the reason, never a 500: the student reads what to fix.
 */
async function run(lab: LabHandle, step: Step, solveFirst: boolean): Promise<LessonCheck> {
  try {
    if (solveFirst) {
      await step.solve(lab);
      await lab.settle();
    }
    const result = await step.check(lab);
    return { pass: result.pass, message: result.message };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { pass: false, message: solveFirst ? `Doing the step failed: ${reason}` : `The check failed: ${reason}` };
  } finally {
    await lab.close().catch(() => {});
  }
}

/**
 * The Lessons tab's lab API: the lessons as data, and each step's check and solve run against the lab this dashboard
 * serves. A check may read the lab's databases and a solve changes the lab, so both are POSTs: the lab admin's
 * session, from this page only (guardLabApi).
 */
export function lessonsRouter(config: DashboardConfig): Router {
  const router = Router();
  const handle = (req: Request) => new LabHandle(labAddressOf(config, `${req.protocol}://${req.headers.host}`));
  router.get('/api/lessons', (_req, res) => {
    res.json(LESSONS.map(viewOf));
  });
  router.post(
    '/api/lessons/:id/steps/:n/check',
    route(async (req, res) => {
      const step = stepOf(req);
      res.json(await run(handle(req), step, false));
    }),
  );
  router.post(
    '/api/lessons/:id/steps/:n/solve',
    route(async (req, res) => {
      const step = stepOf(req);
      res.json(await run(handle(req), step, true));
    }),
  );
  return router;
}
