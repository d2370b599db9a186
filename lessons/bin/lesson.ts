import path from 'node:path';
import readline from 'node:readline';
import { ROOT } from '@checkout-lab/stacks';
import {
  LabHandle,
  LESSONS,
  labAddressFromEnv,
  type OwnLab,
  Progress,
  progressFile,
  runCli,
  startOwnLab,
} from '@checkout-lab/lessons';

/** `npm run lesson`: see lessons/src/cli.ts for the commands and exit codes. */

process.stdout.on('error', () => {});
const starting = new AbortController();
let own: OwnLab | null = null;
let stopping = false;

// Ctrl-C while verify-all runs its own lab: stop it (while it starts, too) and leave no process behind.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping...`);
    starting.abort(new Error(`${signal} while starting`));
    // verify-all sees the abort, runs no further step and stops its lab; a hung step cannot keep it: stop it here too.
    void (own?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

let lines = null as readline.Interface | null;
const ask = (prompt: string) =>
  new Promise<string | null>((resolve) => {
    lines ??= readline.createInterface({ input: process.stdin, output: process.stdout });
    lines.once('close', () => resolve(null));
    lines.question(prompt, resolve);
  });

const dataDir = path.resolve(ROOT, process.env.LAB_DATA_DIR || '.lab-data');
const code = await runCli(process.argv.slice(2), {
  lessons: LESSONS,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  progress: new Progress(progressFile(process.env, ROOT)),
  connect: () => new LabHandle(labAddressFromEnv(process.env)),
  startOwnLab: async () => {
    own = await startOwnLab({
      signal: starting.signal,
      onProgress: (line) => {
        if (!process.argv.includes('--json')) console.log(`[lab] ${line}`);
      },
    });
    return own;
  },
  defaultResultsFile: path.join(dataDir, 'lessons', 'verify-all.json'),
  signal: starting.signal,
  ask,
});
lines?.close();
process.exit(code);
