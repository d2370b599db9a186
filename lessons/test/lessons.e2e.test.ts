import { runCollecting, testServerUrl } from '@checkout-lab/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LESSONS, type OwnLab, startOwnLab, type StepResult } from '../src/index';

// Every lesson on one whole lab of its own (startLab on free ports, its own names): each check fails on the fresh lab
// with a reason, each passes once its step is solved, and a lesson fails again when the behaviour it teaches is broken
// on purpose. Slow: it checks out for real, with the real payment and email delays.

const lessonById = (id: string) => {
  const lesson = LESSONS.find((candidate) => candidate.id === id);
  if (!lesson) throw new Error(`no lesson ${id}`);
  return lesson;
};

describe('the lessons on a live lab', () => {
  let own: OwnLab;

  beforeAll(async () => {
    own = await startOwnLab({ env: { ...process.env, DATABASE_URL: testServerUrl(), LOG_LEVEL: 'warn' } });
  }, 300_000);

  afterAll(async () => {
    await own?.stop();
  });

  it('when no step is solved on a fresh lab, then every check fails and says what it saw', async () => {
    const lab = own.handle;
    expect(await lab.hasMicroservices()).toBe(true);
    const passed: string[] = [];
    for (const lesson of LESSONS) {
      for (const [index, step] of lesson.steps.entries()) {
        const seen = await step.check(lab);
        if (seen.pass) passed.push(`${lesson.id} step ${index + 1}: ${seen.message}`);
        expect(seen.message.length, `${lesson.id} step ${index + 1}`).toBeGreaterThan(20);
      }
    }
    expect(passed).toEqual([]);
  }, 300_000);

  it('when the mail server is down, then "Feel the wait" fails: the checkout keeps no order', async () => {
    const lab = own.handle;
    const lesson = lessonById('feel-the-wait');
    await lab.restoreDefaults();
    await lab.resetShops();
    await lab.expect('monolith', 'PUT', '/api/lab/faults', { smtp_down: true });
    try {
      await lesson.steps[0].solve(lab);
      const seen = await lesson.steps[0].check(lab);
      expect(seen).toEqual({ pass: false, message: expect.stringContaining('no order yet') });
    } finally {
      await lab.restoreDefaults();
    }
    // The same step passes again once the fault is off: the failure was the fault's.
    await lesson.steps[0].solve(lab);
    expect((await lesson.steps[0].check(lab)).pass).toBe(true);
  }, 300_000);

  it('when every payment is declined, then "The 202 and polling" fails on the cancelled order', async () => {
    const lab = own.handle;
    const lesson = lessonById('the-202-and-polling');
    await lab.resetShops();
    await lab.expect('microservices', 'PUT', '/api/lab/config', { payment_failure_rate: 1 });
    try {
      await lesson.steps[0].solve(lab);
      const seen = await lesson.steps[0].check(lab);
      expect(seen).toEqual({ pass: false, message: expect.stringContaining('cancelled (payment_declined)') });
    } finally {
      await lab.restoreDefaults();
    }
  }, 300_000);
});

// The command a student and CI run, as they run it: `npm run lesson -- verify-all` starts a fresh lab of its own,
// solves and checks every lesson in order, writes its results file and exits 0 only when every step passed. It runs
// after the lab above has stopped, so that two labs never share the machine's PostgreSQL connections.
describe('npm run lesson -- verify-all', () => {
  it('when every lesson is solved in order on a fresh lab, then every check passes and it exits 0', async () => {
    const results = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lessons-verify-')), 'results.json');
    const root = path.resolve(import.meta.dirname, '../..');
    const run = runCollecting('npm', ['run', '--silent', 'lesson', '--', 'verify-all', '--results', results], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: testServerUrl(), LOG_LEVEL: 'warn' },
    });
    const code = await run.exited;
    const output = run.output();
    const written = JSON.parse(fs.readFileSync(results, 'utf8')) as { passed: boolean; results: StepResult[] };
    expect(
      written.results.filter((entry) => entry.result !== 'pass'),
      output,
    ).toEqual([]);
    expect(written.results).toHaveLength(LESSONS.reduce((sum, lesson) => sum + lesson.steps.length, 0));
    expect(written.passed).toBe(true);
    expect(code, output).toBe(0);
  }, 1_200_000);
});
