import path from 'node:path';
import { type LabHandle, LabNotRunning } from './lab-handle';
import type { Lesson, Step } from './lesson';
import type { Progress } from './progress';
import { type OwnLab, type StepResult, solveAndCheckAll, writeResults } from './verify-all';

/**
 * `npm run lesson`: the lessons in the terminal. Exit codes: 0 done (a check passed, every lesson verified), 1 a check
 * failed or the lab is not running, 2 a usage error (an unknown lesson, step or option).
 *
 *   npm run lesson                                   the lessons with your progress
 *   npm run lesson -- <id>                           walk through one, step by step
 *   npm run lesson -- list [--json]                  [{id, title, steps (how many), anchor, stacks, passed}]
 *   npm run lesson -- check <id> [--step N] [--json] check one step on the running lab (default: your next step)
 *   npm run lesson -- solve <id> [--step N]          do one step on the running lab (default: your next step)
 *   npm run lesson -- verify-all [--json] [--results FILE]
 *                                                    solve and check every lesson on a fresh lab of its own
 */

export const USAGE =
  'usage: npm run lesson [-- <id> | list [--json] | check <id> [--step N] [--json] | solve <id> [--step N] | verify-all [--json] [--results FILE]]';

export type Command =
  | { kind: 'list'; json: boolean }
  | { kind: 'walk'; lesson: Lesson }
  | { kind: 'check'; lesson: Lesson; step: number | null; json: boolean }
  | { kind: 'solve'; lesson: Lesson; step: number | null }
  | { kind: 'verify-all'; json: boolean; results: string | null }
  | { kind: 'help' };

export type Parsed = { ok: true; command: Command } | { ok: false; message: string };

const OPTIONS: Record<Command['kind'], string[]> = {
  list: ['--json'],
  walk: [],
  check: ['--step', '--json'],
  solve: ['--step'],
  'verify-all': ['--json', '--results'],
  help: [],
};
const TAKES_VALUE = new Set(['--step', '--results']);

/** Reads the arguments after `npm run lesson --`; every mistake is one line (exit 2). */
export function parseArgs(argv: string[], lessons: Lesson[]): Parsed {
  const [first, ...rest] = argv;
  if (first === undefined) return { ok: true, command: { kind: 'list', json: false } };
  if (first === 'help' || first === '--help' || first === '-h') return { ok: true, command: { kind: 'help' } };
  const kind: Command['kind'] = ['list', 'check', 'solve', 'verify-all'].includes(first)
    ? (first as Command['kind'])
    : 'walk';
  const words = kind === 'walk' ? argv : rest;
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!word.startsWith('--')) {
      positional.push(word);
      continue;
    }
    const [name, inline] = word.split('=', 2);
    if (!OPTIONS[kind].includes(name)) {
      return { ok: false, message: `unknown option ${name} for ${kind === 'walk' ? 'a lesson' : kind}. ${USAGE}` };
    }
    if (TAKES_VALUE.has(name)) {
      const value = inline ?? words[++i];
      if (value === undefined || value.startsWith('--'))
        return { ok: false, message: `${name} needs a value. ${USAGE}` };
      options.set(name, value);
    } else {
      options.set(name, true);
    }
  }
  const json = options.has('--json');
  if (kind === 'list' || kind === 'verify-all') {
    if (positional.length > 0)
      return { ok: false, message: `${kind} takes no lesson (got ${positional[0]}). ${USAGE}` };
    if (kind === 'list') return { ok: true, command: { kind, json } };
    const results = options.get('--results');
    return { ok: true, command: { kind, json, results: typeof results === 'string' ? results : null } };
  }
  if (positional.length !== 1) {
    return {
      ok: false,
      message: positional.length === 0 ? `${kind} needs a lesson id. ${USAGE}` : `one lesson at a time. ${USAGE}`,
    };
  }
  const lesson = lessons.find((candidate) => candidate.id === positional[0]);
  if (!lesson) {
    return {
      ok: false,
      message: `no lesson "${positional[0]}"; the lessons are: ${lessons.map((l) => l.id).join(', ')}`,
    };
  }
  if (kind === 'walk') return { ok: true, command: { kind, lesson } };
  let step: number | null = null;
  const raw = options.get('--step');
  if (typeof raw === 'string') {
    step = Number(raw);
    if (!Number.isInteger(step) || step < 1 || step > lesson.steps.length) {
      return {
        ok: false,
        message: `${lesson.id} has no step ${raw}; its steps are 1 to ${lesson.steps.length}`,
      };
    }
  }
  if (kind === 'check') return { ok: true, command: { kind, lesson, step, json } };
  return { ok: true, command: { kind, lesson, step } };
}

export interface CliDeps {
  lessons: Lesson[];
  out: (line: string) => void;
  err: (line: string) => void;
  progress: Progress;
  /** The running lab (`npm start`), found through the environment. */
  connect: () => LabHandle;
  /** A fresh lab of its own, for verify-all. */
  startOwnLab: () => Promise<OwnLab>;
  /** Where verify-all writes its results when --results is not given. */
  defaultResultsFile: string;
  /** Aborted on Ctrl-C: verify-all runs no further step. */
  signal?: AbortSignal;
  /** One line from the learner (the walk-through); null when the input has ended. */
  ask: (prompt: string) => Promise<string | null>;
}

export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const parsed = parseArgs(argv, deps.lessons);
  if (!parsed.ok) {
    deps.err(parsed.message);
    return 2;
  }
  const { command } = parsed;
  switch (command.kind) {
    case 'help':
      deps.out(USAGE);
      return 0;
    case 'list':
      return list(command.json, deps);
    case 'verify-all':
      return verifyAll(command.json, command.results, deps);
    default:
      return onRunningLab(command, deps);
  }
}

function list(json: boolean, deps: CliDeps): number {
  const rows = deps.lessons.map((lesson) => ({
    id: lesson.id,
    title: lesson.title,
    steps: lesson.steps.length,
    anchor: `LESSONS.md#${lesson.anchor}`,
    stacks: lesson.stacks,
    passed: deps.progress.passed(lesson.id).filter((step) => step <= lesson.steps.length),
  }));
  if (json) {
    deps.out(JSON.stringify(rows));
    return 0;
  }
  const width = Math.max(...rows.map((row) => row.id.length));
  for (const row of rows) {
    const done = row.passed.length === row.steps ? 'done' : `${row.passed.length}/${row.steps} steps`;
    deps.out(`  ${row.id.padEnd(width)}  ${done.padEnd(11)}  ${row.title} (${row.stacks.join(', ')})`);
  }
  deps.out(`\nProgress: ${deps.progress.file}. Start one: npm run lesson -- <id>`);
  return 0;
}

/** check, solve and the walk-through: on the lab `npm start` runs; a lab that is not running is one line. */
async function onRunningLab(command: Exclude<Command, { kind: 'list' | 'help' | 'verify-all' }>, deps: CliDeps) {
  const lab = deps.connect();
  try {
    await lab.assertRunning();
    if (command.lesson.stacks.includes('microservices') && !(await lab.hasMicroservices())) {
      deps.err(
        `${command.lesson.id} needs the microservices, and their gateway does not answer at ${lab.address.gateway}: ` +
          '`npm start` starts them when RabbitMQ answers.',
      );
      return 1;
    }
    if (command.kind === 'walk') return await walk(command.lesson, lab, deps);
    const number = command.step ?? deps.progress.nextStep(command.lesson.id, command.lesson.steps.length) ?? 1;
    const step = command.lesson.steps[number - 1];
    if (command.kind === 'solve') {
      await step.solve(lab);
      await lab.settle();
      deps.out(`solved step ${number} of ${command.lesson.id}: ${step.instructions}`);
      return 0;
    }
    const seen = await step.check(lab);
    if (seen.pass) deps.progress.markPassed(command.lesson.id, number);
    if (command.json) {
      deps.out(JSON.stringify({ id: command.lesson.id, step: number, pass: seen.pass, message: seen.message }));
    } else {
      deps.out(`${seen.pass ? 'PASS' : 'FAIL'} ${command.lesson.id} step ${number}: ${seen.message}`);
    }
    return seen.pass ? 0 : 1;
  } catch (error) {
    if (error instanceof LabNotRunning) {
      deps.err(error.message);
      return 1;
    }
    deps.err(`${command.lesson.id}: ${(error as Error).message}`);
    return 1;
  } finally {
    await lab.close().catch(() => {});
  }
}

function showStep(lesson: Lesson, number: number, step: Step, out: (line: string) => void) {
  out('');
  out(`${lesson.title}: step ${number} of ${lesson.steps.length}`);
  out(`  ${step.instructions}`);
  if (step.uses.view) out(`  Dashboard: ${step.uses.view}`);
  if (step.uses.command) out(`  Command:   ${step.uses.command}`);
}

async function walk(lesson: Lesson, lab: LabHandle, deps: CliDeps): Promise<number> {
  const { out } = deps;
  out(`${lesson.title} (LESSONS.md#${lesson.anchor})`);
  out(lesson.goal);
  let number = deps.progress.nextStep(lesson.id, lesson.steps.length) ?? 1;
  if (number > 1) out(`(steps 1 to ${number - 1} done before: going on from step ${number})`);
  while (number <= lesson.steps.length) {
    const step = lesson.steps[number - 1];
    showStep(lesson, number, step, out);
    let hints = 0;
    for (;;) {
      const answer = await deps.ask('[Enter] check  [h] hint  [s] solution (does the step)  [q] quit > ');
      if (answer === null || answer.trim() === 'q') {
        out(`Stopped at step ${number}; your progress is kept (npm run lesson -- ${lesson.id} goes on from here).`);
        return 0;
      }
      const key = answer.trim();
      if (key === 'h') {
        out(
          hints < step.hints.length
            ? `  hint ${hints + 1}/${step.hints.length}: ${step.hints[hints++]}`
            : '  no more hints: [s] shows the solution',
        );
        continue;
      }
      if (key === 's') {
        out('  solving it on the lab...');
        await step.solve(lab);
      }
      const seen = await step.check(lab);
      out(`  ${seen.pass ? 'PASS' : 'not yet'}: ${seen.message}`);
      if (seen.pass) {
        deps.progress.markPassed(lesson.id, number);
        break;
      }
    }
    await lab.settle();
    number++;
  }
  out(`\n${lesson.title}: every step done. Read why in LESSONS.md#${lesson.anchor}.`);
  return 0;
}

async function verifyAll(json: boolean, resultsFile: string | null, deps: CliDeps): Promise<number> {
  const startedAt = new Date();
  const started = performance.now();
  const file = path.resolve(resultsFile ?? deps.defaultResultsFile);
  if (!json) deps.out('verify-all: starting a lab of its own on free ports...');
  let own: OwnLab | null = null;
  let results: StepResult[] = [];
  try {
    own = await deps.startOwnLab();
    results = await solveAndCheckAll(
      own.handle,
      deps.lessons,
      (result) => {
        if (json || deps.signal?.aborted) return;
        const mark = result.result === 'pass' ? 'PASS ' : result.result === 'fail' ? 'FAIL ' : 'ERROR';
        deps.out(
          `${mark} ${result.lesson} step ${result.step} (${(result.duration_ms / 1000).toFixed(1)} s): ${result.message}`,
        );
      },
      deps.signal,
    );
  } catch (error) {
    if (!deps.signal?.aborted) deps.err(`verify-all: ${(error as Error).message}`);
    return deps.signal?.aborted ? 130 : 1;
  } finally {
    await own?.stop();
  }
  if (deps.signal?.aborted) {
    deps.err('verify-all: stopped before the end; its lab is stopped.');
    return 130;
  }
  const duration = Math.floor(performance.now() - started);
  writeResults(file, results, startedAt, duration);
  const passed = results.length > 0 && results.every((entry) => entry.result === 'pass');
  if (json) {
    deps.out(JSON.stringify({ passed, duration_ms: duration, results_file: file, results }));
  } else {
    const bad = results.filter((entry) => entry.result !== 'pass').length;
    deps.out(
      `verify-all: ${passed ? 'every step passed' : `${bad} of ${results.length} steps did not pass`} in ${(duration / 1000).toFixed(0)} s; results in ${file}`,
    );
  }
  return passed ? 0 : 1;
}
