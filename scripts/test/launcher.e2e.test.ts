import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  canConnect,
  DEFAULT_AMQP_URL,
  DEFAULT_PORTS,
  dropDatabase,
  freePort,
  testServerUrl,
  uniqueName,
} from '@checkout-lab/kit';
import { deleteBrokerObjects } from '../../microservices/shared/src/messaging/cleanup';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../lab-runner';

// `npm start` as a person runs it: the real CLI in a child process, on ports of its own, then SIGTERM. Every URL it
// prints must answer while it runs, and nothing it started may be left listening afterwards.

async function portsEnv(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const name of Object.keys(DEFAULT_PORTS)) env[name] = String(await freePort());
  return env;
}

function runLab(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/lab.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output)) {
      if (child.exitCode !== null) throw new Error(`the lab exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} in the lab's output:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  return { child, exited, waitFor, output: () => output };
}

const prefixes: string[] = [];
afterAll(async () => {
  const client = new pg.Client({ connectionString: testServerUrl() });
  await client.connect();
  const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database');
  await client.end();
  for (const { datname } of rows) {
    if (prefixes.some((prefix) => datname.startsWith(`${prefix}_`))) await dropDatabase(testServerUrl(), datname);
  }
  // The microservices declared durable queues and an exchange under the lab's prefix: remove them too.
  for (const prefix of prefixes)
    await deleteBrokerObjects(process.env.AMQP_URL ?? DEFAULT_AMQP_URL, prefix).catch(() => {});
});

describe('npm start', () => {
  it('when started against a PostgreSQL server, then every URL answers, and SIGTERM stops every process', async () => {
    const ports = await portsEnv();
    const prefix = uniqueName('lab_start');
    prefixes.push(prefix);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-start-'));
    const lab = runLab({
      ...process.env,
      ...ports,
      DATABASE_URL: testServerUrl(),
      LAB_NAME_PREFIX: prefix,
      LAB_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    });
    try {
      await lab.waitFor(/Checkout Lab is running/, 180_000);
      const urls = [...lab.output().matchAll(/(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]);
      expect(urls).toContain(`http://127.0.0.1:${ports.MONOLITH_PORT}`);
      expect(urls).toContain(`http://127.0.0.1:${ports.GATEWAY_PORT}`);
      expect(urls).toContain(`http://127.0.0.1:${ports.DASHBOARD_PORT}`);
      expect(urls).toContain(`http://127.0.0.1:${ports.MAIL_UI_PORT}`);
      for (const name of ['MONOLITH_PORT', 'GATEWAY_PORT', 'DASHBOARD_PORT']) {
        const response = await fetch(`http://127.0.0.1:${ports[name]}/health`);
        expect(response.status, name).toBe(200);
      }
      const products = await fetch(`http://127.0.0.1:${ports.GATEWAY_PORT}/api/products`);
      expect(products.status).toBe(200);
    } finally {
      lab.child.kill('SIGTERM');
      await lab.exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    expect(lab.output()).toMatch(/stopped\./);
    for (const [name, port] of Object.entries(ports)) {
      if (name === 'EMBEDDED_PG_PORT') continue;
      expect(await canConnect('127.0.0.1', Number(port), 500), `${name} ${port} is closed after stop`).toBe(false);
    }
  });

  it('when a port is taken, then it says which in one line and leaves nothing running', async () => {
    const ports = await portsEnv();
    const blocker = net.createServer().listen(Number(ports.MONOLITH_PORT), '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const lab = runLab({
        ...process.env,
        ...ports,
        DATABASE_URL: testServerUrl(),
        LAB_NAME_PREFIX: uniqueName('lab_busy'),
      });
      const code = await lab.exited;
      expect(code).toBe(1);
      expect(lab.output()).toMatch(
        new RegExp(`Port ${ports.MONOLITH_PORT} \\(monolith\\) is already in use: .* set MONOLITH_PORT`),
      );
      expect(lab.output()).not.toMatch(/\n\s+at /);
      expect(await canConnect('127.0.0.1', Number(ports.SMTP_PORT), 500)).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('when DATABASE_URL is unset, then it starts embedded PostgreSQL in the data folder, and a second start reuses it', async () => {
    const ports = await portsEnv();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-embedded-'));
    const env = { ...process.env, ...ports, LAB_DATA_DIR: dataDir, LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv;
    delete env.DATABASE_URL;
    // The dashboard and microservices are covered above; RabbitMQ at a closed port leaves them out here.
    env.AMQP_URL = `amqp://guest:guest@127.0.0.1:${await freePort()}`;
    try {
      for (let run = 1; run <= 2; run++) {
        const lab = runLab(env);
        try {
          await lab.waitFor(/Checkout Lab is running/, 180_000);
          expect(lab.output()).toMatch(/embedded/);
          expect(lab.output()).toMatch(/RabbitMQ is not reachable at amqp:\/\/127\.0\.0\.1:\d+: start it with/);
          const response = await fetch(`http://127.0.0.1:${ports.MONOLITH_PORT}/api/products`);
          expect(response.status).toBe(200);
        } finally {
          lab.child.kill('SIGINT');
          await lab.exited;
        }
        expect(fs.existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
        expect(lab.output()).toMatch(/stopped\./);
        for (const name of ['EMBEDDED_PG_PORT', 'MONOLITH_PORT', 'SMTP_PORT', 'MAIL_UI_PORT', 'DASHBOARD_PORT']) {
          expect(await canConnect('127.0.0.1', Number(ports[name]), 500), `${name} is closed after stop`).toBe(false);
        }
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
