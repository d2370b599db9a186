import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError, route } from '@checkout-lab/kit';
import { LESSONS, LabHandle, type LabAddress, type Lesson, type Step } from '@checkout-lab/lessons';
import { type Request, Router } from 'express';
import type { LessonCheck, LessonText, LessonView } from '../shared/lessons';
import type { DashboardConfig } from './config';

/** The repository's LESSONS.md, found from this file (lab-dashboard/server/), whatever folder the lab runs from. */
export const LESSONS_MD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'LESSONS.md');

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

/** The lesson of the route's :id, or 404. */
function lessonOf(req: Request): Lesson {
  const lesson = LESSONS.find((candidate) => candidate.id === req.params.id);
  if (!lesson) throw new AppError({ status: 404, code: 'NOT_FOUND', message: `No lesson ${req.params.id}` });
  return lesson;
}

/**
 * A lesson's section of LESSONS.md: from its `## <title>` heading (the title word for word, as
 * docs/test/lesson-files.unit.test.ts holds it) to the next `## ` or `# ` heading. A `#` inside a fenced code block is
 * a shell comment, not a heading. Null when LESSONS.md has no such heading.
 */
export function lessonSection(markdown: string, title: string): string | null {
  const lines = markdown.split('\n');
  let fenced = false;
  let start = -1;
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at];
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^(#{1,2})\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    if (start >= 0) return lines.slice(start, at).join('\n').trimEnd();
    if (heading[1] === '##' && heading[2] === title) start = at;
  }
  return start >= 0 ? lines.slice(start).join('\n').trimEnd() : null;
}

/** LESSONS.md's text, read again only when the file changed (its mtime or size), so an edit shows on the next request. */
function lessonsFile(file: string): () => Promise<string> {
  let cached: { mtimeMs: number; size: number; text: string } | null = null;
  return async () => {
    const stat = await fs.stat(file).catch(() => null);
    if (!stat) {
      throw new AppError({
        status: 500,
        code: 'LESSONS_MD_MISSING',
        message: 'The lab API cannot read LESSONS.md at the root of the repository',
      });
    }
    if (!cached || cached.mtimeMs !== stat.mtimeMs || cached.size !== stat.size) {
      cached = { mtimeMs: stat.mtimeMs, size: stat.size, text: await fs.readFile(file, 'utf8') };
    }
    return cached.text;
  };
}

/** The lesson and its step n (counted from 1, as the page and `npm run lesson` show them), or 404. */
function stepOf(req: Request): Step {
  const lesson = lessonOf(req);
  const n = Number(req.params.n);
  const step = Number.isInteger(n) ? lesson.steps[n - 1] : undefined;
  if (!step) {
    throw new AppError({
      status: 404,
      code: 'NOT_FOUND',
      message: `Lesson ${lesson.id} has no step ${req.params.n}`,
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
 * The Lessons tab's lab API: the lessons as data, each lesson's prose (its section of LESSONS.md), and each step's
 * check and solve run against the lab this dashboard serves. Reading is open; a check may read the lab's databases
 * and a solve changes the lab, so both are POSTs: the lab admin's session, from this page only (guardLabApi).
 */
export function lessonsRouter(config: DashboardConfig): Router {
  const router = Router();
  const handle = (req: Request) => new LabHandle(labAddressOf(config, `${req.protocol}://${req.headers.host}`));
  const readLessonsMd = lessonsFile(LESSONS_MD);
  router.get('/api/lessons', (_req, res) => {
    res.json(LESSONS.map(viewOf));
  });
  router.get(
    '/api/lessons/:id/text',
    route(async (req, res) => {
      const lesson = lessonOf(req);
      const text = lessonSection(await readLessonsMd(), lesson.title);
      if (text === null) {
        throw new AppError({
          status: 404,
          code: 'NOT_FOUND',
          message: `LESSONS.md has no heading "## ${lesson.title}" for lesson ${lesson.id}`,
        });
      }
      const body: LessonText = { id: lesson.id, title: lesson.title, anchor: lesson.anchor, text };
      res.json(body);
    }),
  );
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
