import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DATABASE_NAMES,
  DEFAULT_AMQP_URL,
  DEFAULT_PORTS,
  dropDatabase,
  freePort,
  type ProcessTableEntry,
  readProcessTable,
  stillRunning,
} from '@checkout-lab/kit';
import { abortError } from './client';
import type { BenchOptions, StackName } from './options';
import { targetsOf } from './options';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** True when a lab answers at url: any HTTP answer counts, a degraded one (503 while SMTP fails, say) too. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * The lab's supervised processes, for the chaos scenario's --kill: each kill is a SIGKILL the launcher's supervisor
 * answers with a restart, as an orchestrator's restart policy would.
 */
export interface ProcessControl {
  /** Where the table comes from, for the report. */
  source: string;
  /** Every supervised process now (GET /api/lab/processes's rows). */
  table(): ProcessTableEntry[];
  /** SIGKILL now; false when no process of that name runs. */
  kill(name: string): boolean;
  /** The microservices' RABBIT_PREFIX, for the names of their queues; null when they do not run. */
  rabbitPrefix: string | null;
  amqpUrl: string;
}

export interface LabForBench {
  options: BenchOptions;
  /** "running" when a lab already answered, "started" when this process started one (and stop() stops it). */
  source: 'running' | 'started';
  warnings: string[];
  /** The lab's processes; null when no launcher's table is found (a stack started by hand). */
  processes: ProcessControl | null;
  stop(): Promise<void>;
}

/**
 * A lab this process did not start: the table its launcher keeps (LAB_DATA_DIR/lab.pids.json), read at every call;
 * a kill signals only a process named there that is still the one recorded (its pid and start time), as the
 * dashboard's Kill does. Null when there is no table.
 */
async function launcherTable(): Promise<ProcessControl | null> {
  const { LAB_PROCESSES_FILE } = await import('@checkout-lab/stacks');
  const file = path.join(process.env.LAB_DATA_DIR || path.join(ROOT, '.lab-data'), LAB_PROCESSES_FILE);
  if (!readProcessTable(file)) return null;
  const table = () => readProcessTable(file)?.processes ?? [];
  return {
    source: file,
    table,
    kill: (name) => {
      const entry = table().find((candidate) => candidate.name === name);
      if (entry?.status !== 'running' || !stillRunning(entry)) return false;
      process.kill(entry.pid, 'SIGKILL');
      return true;
    },
    rabbitPrefix: process.env.LAB_NAME_PREFIX || process.env.RABBIT_PREFIX || '',
    amqpUrl: process.env.AMQP_URL || DEFAULT_AMQP_URL,
  };
}

/**
 * Uses the lab that answers at the options' URLs; when none of the needed stacks answers, or when `force` is set
 * (--start-lab), starts one with the launcher's startLab() (@checkout-lab/stacks) on free ports and its own database
 * and queue names, and stops it at the end. PostgreSQL comes from DATABASE_URL (else embedded), RabbitMQ from AMQP_URL.
 * A forced lab is a fresh one: its names are prefixed bench_<random> (LAB_NAME_PREFIX), its embedded PostgreSQL (when
 * DATABASE_URL is unset) keeps its data in a folder of its own, and stop() removes its databases, data folder and
 * broker queues, so nothing of it is left.
 */
export async function ensureLab(
  options: BenchOptions,
  log: (line: string) => void,
  settings: { force?: boolean; signal?: AbortSignal } = {},
): Promise<LabForBench> {
  const needed: StackName[] = options.scenario === 'baseline' ? [] : targetsOf(options.target);
  const urlOf = (s: StackName) => (s === 'monolith' ? options.monolithUrl : options.gatewayUrl);
  if (!settings.force || needed.length === 0) {
    const up = await Promise.all(needed.map((s) => answers(urlOf(s))));
    if (needed.length === 0 || up.some(Boolean)) {
      const warnings = needed.filter((_, i) => !up[i]).map((s) => `nothing answers at ${urlOf(s)}/health (${s})`);
      return { options, source: 'running', warnings, processes: await launcherTable(), stop: async () => {} };
    }
    log(`No lab answers at ${needed.map(urlOf).join(' or ')}: starting one for this run...`);
  } else {
    log('--start-lab: starting a fresh lab for this run...');
  }

  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  // Free ports for every process, so the lab started here never collides with anything already listening.
  for (const name of Object.keys(DEFAULT_PORTS) as (keyof typeof DEFAULT_PORTS)[]) {
    if (name === 'EMBEDDED_PG_PORT' && process.env.EMBEDDED_PG_PORT && !settings.force) continue;
    env[name] = String(await freePort());
  }
  const namePrefix = settings.force ? `bench_${crypto.randomBytes(3).toString('hex')}` : 'bench';
  const dataDir = settings.force
    ? path.join(ROOT, '.lab-data', 'bench-runs', namePrefix)
    : path.join(ROOT, '.lab-data', 'bench');
  const { deleteBrokerObjects, startLab } = await import('@checkout-lab/stacks');
  const cleanup = async (amqp: boolean) => {
    if (!settings.force) return;
    if (process.env.DATABASE_URL) {
      for (const db of Object.keys(DATABASE_NAMES) as (keyof typeof DATABASE_NAMES)[])
        await dropDatabase(process.env.DATABASE_URL, `${namePrefix}_${db}`).catch(() => {});
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (amqp) {
      await deleteBrokerObjects(process.env.AMQP_URL || DEFAULT_AMQP_URL, namePrefix).catch(() => {});
    }
  };
  // Ctrl-C while the lab starts: startLab stops what it had started, then its data is removed, and the caller sees
  // an AbortError.
  let lab: Awaited<ReturnType<typeof startLab>>;
  try {
    lab = await startLab({ env, dashboard: false, namePrefix, dataDir, onProgress: log, signal: settings.signal });
  } catch (error) {
    await cleanup(true).catch(() => {});
    if (settings.signal?.aborted) throw abortError(settings.signal);
    throw error;
  }
  const stop = async () => {
    await lab.stop();
    await cleanup(lab.urls.amqp !== null).catch((error) =>
      log(`warning: cleaning up the lab's data: ${(error as Error).message}`),
    );
  };
  if (settings.signal?.aborted) {
    await stop();
    throw abortError(settings.signal);
  }
  return {
    options: {
      ...options,
      monolithUrl: lab.urls.monolith,
      gatewayUrl: lab.urls.gateway ?? options.gatewayUrl,
      mailUiUrl: lab.urls.mailUi,
      databaseUrl: lab.serverUrl,
    },
    source: 'started',
    warnings: lab.warnings,
    processes: {
      source: 'the lab this run started',
      table: () => lab.processes(),
      kill: (name) => lab.kill(name),
      rabbitPrefix: lab.rabbitPrefix,
      amqpUrl: process.env.AMQP_URL || DEFAULT_AMQP_URL,
    },
    stop,
  };
}
