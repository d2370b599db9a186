import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PORTS, freePort } from '@checkout-lab/kit';
import type { BenchOptions, StackName } from './options';
import { targetsOf } from './options';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    return response.status < 500;
  } catch {
    return false;
  }
}

export interface LabForBench {
  options: BenchOptions;
  /** "running" when a lab already answered, "started" when this process started one (and stop() stops it). */
  source: 'running' | 'started';
  warnings: string[];
  stop(): Promise<void>;
}

/**
 * Uses the lab that answers at the options' URLs; when none of the needed stacks answers, starts one with the
 * launcher's startLab() (scripts/lab-runner.ts) on free ports and its own database and queue names, and stops it
 * at the end. PostgreSQL comes from DATABASE_URL (else embedded), RabbitMQ from AMQP_URL.
 */
export async function ensureLab(options: BenchOptions, log: (line: string) => void): Promise<LabForBench> {
  const needed: StackName[] = options.scenario === 'baseline' ? [] : targetsOf(options.target);
  const urlOf = (s: StackName) => (s === 'monolith' ? options.monolithUrl : options.gatewayUrl);
  const up = await Promise.all(needed.map((s) => answers(urlOf(s))));
  if (needed.length === 0 || up.some(Boolean)) {
    const warnings = needed.filter((_, i) => !up[i]).map((s) => `nothing answers at ${urlOf(s)}/health (${s})`);
    return { options, source: 'running', warnings, stop: async () => {} };
  }

  log(`No lab answers at ${needed.map(urlOf).join(' or ')}: starting one for this run...`);
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  // Free ports for every process, so the lab started here never collides with anything already listening.
  for (const name of Object.keys(DEFAULT_PORTS) as (keyof typeof DEFAULT_PORTS)[]) {
    if (name === 'EMBEDDED_PG_PORT' && process.env.EMBEDDED_PG_PORT) continue;
    env[name] = String(await freePort());
  }
  const { startLab } = await import('../../scripts/lab-runner');
  const lab = await startLab({
    env,
    dashboard: false,
    namePrefix: 'bench',
    dataDir: path.join(ROOT, '.lab-data', 'bench'),
    onProgress: log,
  });
  return {
    options: {
      ...options,
      monolithUrl: lab.urls.monolith,
      gatewayUrl: lab.urls.gateway ?? options.gatewayUrl,
      mailUiUrl: lab.urls.mailUi,
    },
    source: 'started',
    warnings: lab.warnings,
    stop: () => lab.stop(),
  };
}
