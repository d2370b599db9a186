import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATABASE_NAMES, DEFAULT_AMQP_URL, DEFAULT_PORTS, dropDatabase, freePort } from '@checkout-lab/kit';
import { deleteBrokerObjects, startLab } from '@checkout-lab/stacks';
import { LabHandle, labAddressFromEnv } from './lab-handle';
import type { Lesson } from './lesson';

/**
 * `npm run lesson -- verify-all`: every lesson, solved and checked in order, on a lab of its own (startLab on free
 * ports, its own data folder and name prefix, so it never touches a lab the student runs). The lab stops afterwards,
 * also on Ctrl-C, and what it made on a shared PostgreSQL server or RabbitMQ goes with it.
 */

export interface StepResult {
  lesson: string;
  step: number;
  result: 'pass' | 'fail' | 'error';
  message: string;
  duration_ms: number;
}

/** Solves then checks each step of each lesson on the lab, in order; a clean shop and the defaults before each lesson. */
export async function solveAndCheckAll(
  lab: LabHandle,
  lessons: Lesson[],
  onResult: (result: StepResult) => void = () => {},
  signal?: AbortSignal,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const record = (result: StepResult) => {
    results.push(result);
    onResult(result);
  };
  const microservices = await lab.hasMicroservices();
  for (const lesson of lessons) {
    // Ctrl-C: no further step, the caller stops the lab.
    if (signal?.aborted) break;
    if (lesson.stacks.includes('microservices') && !microservices) {
      for (let step = 1; step <= lesson.steps.length; step++) {
        record({
          lesson: lesson.id,
          step,
          result: 'error',
          message: 'the microservices are not running (no RabbitMQ?)',
          duration_ms: 0,
        });
      }
      continue;
    }
    await lab.restoreDefaults();
    await lab.resetShops();
    for (const [index, step] of lesson.steps.entries()) {
      if (signal?.aborted) break;
      const started = performance.now();
      let result: StepResult['result'];
      let message: string;
      try {
        await step.solve(lab);
        const seen = await step.check(lab);
        result = seen.pass ? 'pass' : 'fail';
        message = seen.message;
      } catch (error) {
        result = 'error';
        message = (error as Error).message;
      }
      record({
        lesson: lesson.id,
        step: index + 1,
        result,
        message,
        duration_ms: Math.floor(performance.now() - started),
      });
    }
    if (signal?.aborted) break;
    await lab.settle();
    await lab.restoreDefaults();
  }
  return results;
}

export interface OwnLab {
  handle: LabHandle;
  stop(): Promise<void>;
}

/** A whole lab on free ports, with its own data folder and name prefix; stop() removes every trace of it. */
export async function startOwnLab(options: {
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}): Promise<OwnLab> {
  const base = options.env ?? process.env;
  const ports: Record<string, string> = {};
  for (const name of Object.keys(DEFAULT_PORTS)) ports[name] = String(await freePort());
  const env: NodeJS.ProcessEnv = { ...base, ...ports, LOG_LEVEL: base.LOG_LEVEL || 'warn' };
  delete env.LAB_NAME_PREFIX;
  const namePrefix = `lessons_${crypto.randomBytes(4).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-lessons-'));
  const amqpUrl = env.AMQP_URL || DEFAULT_AMQP_URL;
  const cleanUp = async (rabbitPrefix: string | null) => {
    if (env.DATABASE_URL) {
      for (const name of Object.keys(DATABASE_NAMES)) {
        await dropDatabase(env.DATABASE_URL, `${namePrefix}_${name}`).catch(() => {});
      }
    }
    if (rabbitPrefix) await deleteBrokerObjects(amqpUrl, rabbitPrefix).catch(() => {});
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  let lab: Awaited<ReturnType<typeof startLab>>;
  try {
    lab = await startLab({
      env,
      dataDir,
      namePrefix,
      signal: options.signal,
      onProgress: options.onProgress,
    });
  } catch (error) {
    await cleanUp(`${namePrefix}.`);
    throw error;
  }
  const handle = new LabHandle({
    monolith: lab.urls.monolith,
    gateway: lab.urls.gateway ?? `http://127.0.0.1:${ports.GATEWAY_PORT}`,
    dashboard: lab.urls.dashboard ?? `http://127.0.0.1:${ports.DASHBOARD_PORT}`,
    mailUi: lab.urls.mailUi,
    paymentProvider: lab.urls.paymentProvider,
    serverUrl: lab.serverUrl,
    namePrefix,
    admin: labAddressFromEnv(env).admin,
  });
  let stopped: Promise<void> | null = null;
  return {
    handle,
    stop: () => {
      stopped ??= (async () => {
        await handle.close().catch(() => {});
        await lab.stop();
        await cleanUp(lab.rabbitPrefix);
      })();
      return stopped;
    },
  };
}

/** The results file: one entry per lesson and step. */
export function writeResults(file: string, results: StepResult[], startedAt: Date, durationMs: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const passed = results.length > 0 && results.every((entry) => entry.result === 'pass');
  const document = {
    started_at: startedAt.toISOString(),
    duration_ms: durationMs,
    passed,
    counts: {
      pass: results.filter((entry) => entry.result === 'pass').length,
      fail: results.filter((entry) => entry.result === 'fail').length,
      error: results.filter((entry) => entry.result === 'error').length,
    },
    results,
  };
  fs.writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
}
