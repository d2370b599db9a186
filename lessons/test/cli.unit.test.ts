import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@checkout-lab/kit';
import { describe, expect, it } from 'vitest';
import {
  type CliDeps,
  fail,
  LabHandle,
  LESSONS,
  type Lesson,
  labAddressFromEnv,
  type OwnLab,
  parseArgs,
  Progress,
  pass,
  runCli,
} from '../src/index';

// The command line's arguments and exit codes, with lessons made for the test and a lab that is a stand-in where the
// command needs none (its checks decide); the real lessons on a real lab are lessons.e2e.test.ts.

/** A lesson of two steps whose checks read a flag the solve sets, as a real check reads what a real solve did. */
function toyLesson(state: { done: boolean[] }): Lesson {
  const step = (index: number) => ({
    instructions: `do thing ${index + 1}`,
    uses: { command: `thing ${index + 1}` },
    hints: [`hint ${index + 1}a`, `hint ${index + 1}b`],
    check: async () =>
      state.done[index] ? pass(`thing ${index + 1} is done`) : fail(`thing ${index + 1} not seen: look at X`),
    solve: async () => {
      state.done[index] = true;
    },
  });
  return { id: 'toy', title: 'Toy', anchor: 'toy', stacks: ['monolith'], goal: 'learn', steps: [step(0), step(1)] };
}

/** A lab handle that answers like a running lab without touching one (the toy lesson's checks read no lab). */
function standInLab(): LabHandle {
  const lab = new LabHandle(labAddressFromEnv({}));
  Object.assign(lab, {
    assertRunning: async () => {},
    hasMicroservices: async () => true,
    restoreDefaults: async () => {},
    resetShops: async () => {},
    close: async () => {},
  });
  return lab;
}

function harness(
  options: {
    lessons?: Lesson[];
    answers?: string[];
    lab?: () => LabHandle;
    own?: () => Promise<OwnLab>;
    signal?: AbortSignal;
  } = {},
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lesson-cli-'));
  const out: string[] = [];
  const err: string[] = [];
  const answers = [...(options.answers ?? [])];
  const progress = new Progress(path.join(dir, 'progress.json'));
  const deps: CliDeps = {
    lessons: options.lessons ?? LESSONS,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    progress,
    connect: options.lab ?? standInLab,
    startOwnLab: options.own ?? (async () => ({ handle: standInLab(), stop: async () => {} })),
    defaultResultsFile: path.join(dir, 'results.json'),
    ask: async () => answers.shift() ?? null,
    signal: options.signal,
  };
  return { deps, out, err, progress, dir, run: (...argv: string[]) => runCli(argv, deps) };
}

describe('npm run lesson: the arguments', () => {
  it('when nothing is given, then it lists; list --json, check, solve, verify-all and a lesson id parse', () => {
    const toy = toyLesson({ done: [] });
    expect(parseArgs([], [toy])).toEqual({ ok: true, command: { kind: 'list', json: false } });
    expect(parseArgs(['list', '--json'], [toy])).toEqual({ ok: true, command: { kind: 'list', json: true } });
    expect(parseArgs(['toy'], [toy])).toEqual({ ok: true, command: { kind: 'walk', lesson: toy } });
    expect(parseArgs(['check', 'toy', '--step', '2', '--json'], [toy])).toEqual({
      ok: true,
      command: { kind: 'check', lesson: toy, step: 2, json: true },
    });
    expect(parseArgs(['solve', 'toy', '--step=1'], [toy])).toEqual({
      ok: true,
      command: { kind: 'solve', lesson: toy, step: 1 },
    });
    expect(parseArgs(['verify-all', '--json', '--results', 'r.json'], [toy])).toEqual({
      ok: true,
      command: { kind: 'verify-all', json: true, results: 'r.json' },
    });
  });

  it('when an id, a step or an option is wrong, then it exits 2 with one line naming what exists', async () => {
    const { run, err, out } = harness();
    expect(await run('no-such-lesson')).toBe(2);
    expect(await run('check', 'no-such-lesson')).toBe(2);
    expect(await run('check', 'feel-the-wait', '--step', '9')).toBe(2);
    expect(await run('solve', 'feel-the-wait', '--step', 'two')).toBe(2);
    expect(await run('check', 'feel-the-wait', '--step')).toBe(2);
    expect(await run('list', '--verbose')).toBe(2);
    expect(await run('check')).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(7);
    for (const line of err) expect(line).not.toContain('\n');
    expect(err[0]).toBe(`no lesson "no-such-lesson"; the lessons are: ${LESSONS.map((l) => l.id).join(', ')}`);
    expect(err[2]).toBe('feel-the-wait has no step 9; its steps are 1 to 3');
  });

  it('when list --json is asked, then it prints [{id, title, steps}] for every lesson, with the progress', async () => {
    const { run, out, progress } = harness();
    progress.markPassed('feel-the-wait', 1);
    expect(await run('list', '--json')).toBe(0);
    const listed = JSON.parse(out.join('\n'));
    expect(listed.map((row: { id: string }) => row.id)).toEqual(LESSONS.map((lesson) => lesson.id));
    expect(listed[0]).toMatchObject({ id: 'feel-the-wait', title: 'Feel the wait', steps: 3, passed: [1] });
  });
});

describe('npm run lesson: check, solve and the walk-through', () => {
  it('when no lab answers, then check says in one line how to start it, and exits 1', async () => {
    const port = await freePort();
    const { run, err } = harness({ lab: () => new LabHandle(labAddressFromEnv({ MONOLITH_PORT: String(port) })) });
    expect(await run('check', 'feel-the-wait')).toBe(1);
    expect(err).toEqual([
      `No lab answers at http://127.0.0.1:${port}: start it with \`npm start\` (in another terminal), then run this again.`,
    ]);
  });

  it('when a check fails, then it exits 1 with its reason; after solve it exits 0 and the step counts as done', async () => {
    const state = { done: [false, false] };
    const { run, out, progress } = harness({ lessons: [toyLesson(state)] });
    expect(await run('check', 'toy', '--step', '1')).toBe(1);
    expect(out.pop()).toBe('FAIL toy step 1: thing 1 not seen: look at X');
    expect(progress.passed('toy')).toEqual([]);
    expect(await run('solve', 'toy')).toBe(0);
    expect(await run('check', 'toy', '--json')).toBe(0);
    expect(JSON.parse(out.pop() as string)).toEqual({ id: 'toy', step: 1, pass: true, message: 'thing 1 is done' });
    expect(progress.passed('toy')).toEqual([1]);
    // Without --step, the next step not done yet.
    expect(await run('check', 'toy')).toBe(1);
    expect(out.pop()).toBe('FAIL toy step 2: thing 2 not seen: look at X');
  });

  it('when a student walks through, then a check fails with its reason, hints come in order, the solution passes it', async () => {
    const state = { done: [false, false] };
    const { run, out, progress } = harness({ lessons: [toyLesson(state)], answers: ['', 'h', 'h', 'h', 's', 's'] });
    expect(await run('toy')).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('not yet: thing 1 not seen: look at X');
    expect(text.indexOf('hint 1/2: hint 1a')).toBeLessThan(text.indexOf('hint 2/2: hint 1b'));
    expect(text).toContain('no more hints');
    expect(text).toContain('PASS: thing 2 is done');
    expect(text).toContain('every step done');
    expect(progress.passed('toy')).toEqual([1, 2]);
  });

  it('when the input ends in a walk-through, then it stops and keeps the progress', async () => {
    const { run, out, progress } = harness({ lessons: [toyLesson({ done: [true, false] })], answers: [''] });
    expect(await run('toy')).toBe(0);
    expect(progress.passed('toy')).toEqual([1]);
    expect(out.at(-1)).toContain('Stopped at step 2');
  });
});

describe('npm run lesson -- verify-all', () => {
  it('when every step passes once solved, then it exits 0 and writes one entry per lesson and step', async () => {
    let stopped = 0;
    const { run, dir } = harness({
      lessons: [toyLesson({ done: [false, false] })],
      own: async () => ({ handle: standInLab(), stop: async () => void stopped++ }),
    });
    const file = path.join(dir, 'out.json');
    expect(await run('verify-all', '--results', file)).toBe(0);
    const written = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(written).toMatchObject({ passed: true, counts: { pass: 2, fail: 0, error: 0 } });
    expect(
      written.results.map((r: { lesson: string; step: number; result: string }) => [r.lesson, r.step, r.result]),
    ).toEqual([
      ['toy', 1, 'pass'],
      ['toy', 2, 'pass'],
    ]);
    for (const entry of written.results) expect(typeof entry.duration_ms).toBe('number');
    expect(stopped).toBe(1);
  });

  it('when a step fails or throws, then it exits 1, says which, and still stops its lab', async () => {
    let stopped = 0;
    const broken = toyLesson({ done: [false, false] });
    broken.steps[0] = { ...broken.steps[0], solve: async () => {} };
    broken.steps[1] = {
      ...broken.steps[1],
      solve: async () => {
        throw new Error('the lab said no');
      },
    };
    const { run, out, dir } = harness({
      lessons: [broken],
      own: async () => ({ handle: standInLab(), stop: async () => void stopped++ }),
    });
    expect(await run('verify-all', '--json', '--results', path.join(dir, 'r.json'))).toBe(1);
    const summary = JSON.parse(out.at(-1) as string);
    expect(summary.passed).toBe(false);
    expect(summary.results.map((r: { result: string; message: string }) => [r.result, r.message])).toEqual([
      ['fail', 'thing 1 not seen: look at X'],
      ['error', 'the lab said no'],
    ]);
    expect(stopped).toBe(1);
  });

  it('when Ctrl-C comes during a step, then no further step runs, its lab stops and it exits 130', async () => {
    let stopped = 0;
    const stop = new AbortController();
    const lesson = toyLesson({ done: [false, false] });
    let secondSolved = false;
    lesson.steps[0] = { ...lesson.steps[0], solve: async () => stop.abort() };
    lesson.steps[1] = {
      ...lesson.steps[1],
      solve: async () => {
        secondSolved = true;
      },
    };
    const { run, err, dir } = harness({
      lessons: [lesson],
      signal: stop.signal,
      own: async () => ({ handle: standInLab(), stop: async () => void stopped++ }),
    });
    expect(await run('verify-all', '--results', path.join(dir, 'r.json'))).toBe(130);
    expect(secondSolved).toBe(false);
    expect(stopped).toBe(1);
    expect(err).toEqual(['verify-all: stopped before the end; its lab is stopped.']);
  });

  it('when its own lab cannot start, then it exits 1 with one line', async () => {
    const { run, err } = harness({
      own: async () => {
        throw new Error('port 5432: nothing answers');
      },
    });
    expect(await run('verify-all')).toBe(1);
    expect(err).toEqual(['verify-all: port 5432: nothing answers']);
  });
});
