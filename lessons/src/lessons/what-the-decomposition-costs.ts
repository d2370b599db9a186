import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report, TargetResult } from '@checkout-lab/benchmarks';
import { DEFAULT_KNOBS } from '@checkout-lab/kit';
import { SERVICE_NAMES } from '@checkout-lab/stacks';
import type { LabHandle } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass, type Stack } from '../lesson';
import { config } from './shared';

// LESSON: What the decomposition costs (LESSONS.md#what-the-decomposition-costs)

/** Where `npm run bench` writes its reports: benchmarks/results/<time>/report.json, from the repository's root. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const RESULTS = path.join(ROOT, 'benchmarks', 'results');
/** "Many times a bare POST": LESSONS.md's runs find about 90; a checkout that cost under 10 POSTs would be news. */
const MANY = 10;
/** The knobs as the lab starts, the body of the last step's PUT. */
const DEFAULT_DELAYS = JSON.stringify({
  payment_delay_ms: DEFAULT_KNOBS.payment_delay_ms,
  email_delay_ms: DEFAULT_KNOBS.email_delay_ms,
});
/** The solve's run: short enough for verify-all (LESSONS.md's is 50 connections for 10 s). */
const SOLVE_CONNECTIONS = 10;
const SOLVE_DURATION_S = 5;

const portOf = (url: string) => new URL(url).port;

/** The newest throughput report of a run against this lab's monolith and gateway (by their ports), and its folder. */
function newestReport(lab: LabHandle): { report: Report; folder: string } | null {
  let folders: string[];
  try {
    folders = fs.readdirSync(RESULTS).sort().reverse();
  } catch {
    return null;
  }
  for (const folder of folders.slice(0, 50)) {
    let report: Report;
    try {
      report = JSON.parse(fs.readFileSync(path.join(RESULTS, folder, 'report.json'), 'utf8'));
    } catch {
      continue;
    }
    const { monolith, micro } = report.targets ?? {};
    if (report.scenario !== 'throughput' || !monolith || !micro) continue;
    if (portOf(monolith.url) !== portOf(lab.address.monolith) || portOf(micro.url) !== portOf(lab.address.gateway))
      continue;
    return { report, folder: `benchmarks/results/${folder}` };
  }
  return null;
}

/** The run's report, when the lab still holds the run's orders (a reset since would have removed them). */
async function loadRun(lab: LabHandle): Promise<{ report: Report; folder: string } | CheckResult> {
  const found = newestReport(lab);
  if (!found) {
    return fail(
      'No benchmarks/results/*/report.json of a throughput run on both stacks of this lab: run ' +
        '`npm run bench -- --scenario throughput --connections 50 --duration 10` with the lab running.',
    );
  }
  for (const stack of ['monolith', 'microservices'] as Stack[]) {
    const orders = await lab.expect<unknown[]>(
      stack,
      'GET',
      `/api/lab/orders?since=${encodeURIComponent(found.report.started_at)}`,
    );
    if (orders.length === 0) {
      return fail(
        `${found.folder} was made at ${found.report.started_at}, but the ${stack} has no order since then: the shop ` +
          'was reset after it. Run the benchmark again.',
      );
    }
  }
  return found;
}

async function ranBoth(lab: LabHandle): Promise<CheckResult> {
  const run = await loadRun(lab);
  if ('pass' in run) return run;
  const { monolith, micro } = run.report.targets as Required<Report['targets']>;
  return pass(
    `${run.folder}/report.md: the monolith accepted ${monolith.metrics.accepted_checkouts_per_sec} checkouts/s, the ` +
      `microservices ${micro.metrics.accepted_checkouts_per_sec}/s, with a CPU table for each.`,
  );
}

/** The microservices' machine CPU per accepted checkout is many bare POSTs', and every one of their processes ran. */
async function costsMany(lab: LabHandle): Promise<CheckResult> {
  const run = await loadRun(lab);
  if ('pass' in run) return run;
  const micro = run.report.targets.micro as TargetResult;
  const window = micro.cpu?.window;
  if (!window) {
    return fail(
      `${run.folder} has no CPU window for the microservices (cpu.source ${micro.cpu?.source ?? 'absent'}): ` +
        '/proc must be readable, as on Linux.',
    );
  }
  const idle = SERVICE_NAMES.filter((name) => !((window.processes[name]?.cpu_s ?? 0) > 0));
  if (idle.length > 0) {
    return fail(
      `${run.folder}: no CPU figure above zero for ${idle.join(', ')} during the load: were they found on this ` +
        "machine (the gateway's /health lists them)? Run the benchmark on the machine the lab runs on.",
    );
  }
  const times = micro.metrics.machine_cpu_per_checkout_to_floor;
  if (times === null || times === undefined) {
    return fail(`${run.folder} has no machine CPU per checkout / per floor POST for the microservices: run it again.`);
  }
  if (times < MANY) {
    return fail(
      `${run.folder}: one microservices checkout cost the machine ${times} bare POSTs' worth of CPU, fewer than ` +
        `${MANY}; ${window.machine.other_cpu_s ?? 'unknown'} CPU s of the load went to processes the report does ` +
        'not list (another lab, a test run): run it again when nothing else loads the machine, with --duration 10.',
    );
  }
  const busiest = SERVICE_NAMES.map((name) => ({ name, cpu: window.processes[name].cpu_s ?? 0 })).sort(
    (a, b) => b.cpu - a.cpu,
  );
  return pass(
    `On the microservices one accepted checkout cost the machine ${window.machine.ms_per_accepted_checkout} ms of ` +
      `CPU, ${times} times a bare POST's ${run.report.baseline?.post_cpu?.ms_per_request} ms; the services took ` +
      `${window.stack.ms_per_accepted_checkout} ms of it, and all seven worked (the busiest: ${busiest[0].name}, ` +
      `${busiest[0].cpu} s). The machine was ${Math.round((window.machine.busy_share ?? 0) * 100)} % busy.`,
  );
}

/** The knobs the benchmark set (payment 100 ms, email 200 ms by default) that are not the lab's defaults. */
async function knobsOff(lab: LabHandle): Promise<string[]> {
  const off: string[] = [];
  for (const stack of ['monolith', 'microservices'] as Stack[]) {
    const now = await config(lab, stack);
    for (const knob of ['payment_delay_ms', 'email_delay_ms', 'payment_failure_rate'] as const) {
      if (now[knob] !== DEFAULT_KNOBS[knob]) off.push(`${knob} ${now[knob]} on the ${stack}`);
    }
  }
  return off;
}

/** `npm run bench` against this lab: its URLs, its PostgreSQL server (for the CPU figures) and its admin. */
function runBench(lab: LabHandle): Promise<void> {
  const args = [
    '--import',
    'tsx',
    path.join(ROOT, 'benchmarks', 'src', 'cli.ts'),
    '--scenario',
    'throughput',
    '--connections',
    String(SOLVE_CONNECTIONS),
    '--duration',
    String(SOLVE_DURATION_S),
    '--monolith-url',
    lab.address.monolith,
    '--gateway-url',
    lab.address.gateway,
    '--mail-ui-url',
    lab.address.mailUi,
  ];
  const env = {
    ...process.env,
    DATABASE_URL: lab.address.serverUrl,
    LAB_ADMIN_EMAIL: lab.address.admin.email,
    LAB_ADMIN_PASSWORD: lab.address.admin.password,
  };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) => {
      // Exit 1 is a run whose invariants did not all hold: its report is written all the same, and the check reads it.
      if (error && error.code !== 1) reject(new Error(`npm run bench failed (${error.code}): ${stderr.slice(-500)}`));
      else resolve();
    });
  });
}

export const whatTheDecompositionCosts: Lesson = {
  id: 'what-the-decomposition-costs',
  title: 'What the decomposition costs',
  anchor: 'what-the-decomposition-costs',
  stacks: ['monolith', 'microservices'],
  goal: 'Measure what one checkout costs the machine on each stack, process by process, against a bare Express POST.',
  steps: [
    {
      instructions:
        'With the lab running, load both stacks with the throughput scenario: ' +
        '`npm run bench -- --scenario throughput --connections 50 --duration 10` (a lab on other ports: add ' +
        '--monolith-url, --gateway-url and --mail-ui-url). It resets both shops first.',
      uses: { command: 'npm run bench -- --scenario throughput --connections 50 --duration 10' },
      check: ranBoth,
      hints: [
        'The report goes to benchmarks/results/<time>/: report.md to read, report.json for the check.',
        'It takes about a minute: a floor (a bare Express handler), then the monolith, then the microservices.',
      ],
      async solve(lab) {
        await runBench(lab);
      },
    },
    {
      instructions:
        "Read the report's CPU table for the microservices: the machine's CPU per accepted checkout against a bare " +
        'POST of the same run, and the CPU seconds of each of the seven services during the load.',
      uses: { command: 'less benchmarks/results/<time>/report.md' },
      check: costsMany,
      hints: [
        'The row "machine\'s CPU per accepted checkout / per floor POST" is the quotient; it compares across machines.',
        'One order crosses the gateway, three services on the way in and consumers in five after it.',
      ],
      async solve() {
        // Reading: the run of step 1 holds the figures.
      },
    },
    {
      instructions:
        'Put the knobs back: the benchmark left its short delays (payment 100 ms, email 200 ms) on both stacks; ' +
        `PUT /api/lab/config ${DEFAULT_DELAYS} on each.`,
      uses: {
        view: 'Instructor (the knobs)',
        command: `curl -X PUT $M/api/lab/config -d '${DEFAULT_DELAYS}' (and on $G)`,
      },
      async check(lab) {
        const done = await costsMany(lab);
        if (!done.pass) return done;
        const off = await knobsOff(lab);
        if (off.length > 0) return fail(`Still ${off.join(', ')}: PUT /api/lab/config with the defaults.`);
        return pass('The knobs are back at their defaults on both stacks.');
      },
      hints: ['The same PUT /api/lab/config on the monolith ($M) and on the gateway ($G).'],
      async solve(lab) {
        for (const stack of ['monolith', 'microservices'] as Stack[]) {
          await lab.expect(stack, 'PUT', '/api/lab/config', DEFAULT_KNOBS);
        }
      },
    },
  ],
};
