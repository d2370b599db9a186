import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  canConnect,
  DEFAULT_AMQP_URL,
  DEFAULT_PORTS,
  DEV_JWT_SECRET,
  dropDatabase,
  freePort,
  processStartTime,
} from '@checkout-lab/kit';
import { runCollecting, testServerUrl, uniqueName } from '@checkout-lab/kit/testing';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteBrokerObjects, LAB_PROCESSES_FILE, type LabProcesses, ROOT } from '@checkout-lab/stacks';

// `npm start` as a person runs it: the real CLI in a child process, on ports of its own, then SIGTERM. Every URL it
// prints must answer while it runs, and nothing it started may be left listening afterwards.

async function portsEnv(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const name of Object.keys(DEFAULT_PORTS)) env[name] = String(await freePort());
  return env;
}

function runLab(env: NodeJS.ProcessEnv) {
  const { child, exited, output } = runCollecting(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'scripts/lab.ts')],
    {
      cwd: ROOT,
      env,
    },
  );
  const waitFor = async (pattern: RegExp, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output())) {
      if (child.exitCode !== null) throw new Error(`the lab exited early:\n${output()}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} in the lab's output:\n${output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  return { child, exited, waitFor, output };
}

/** Resolves once nothing listens on any of the ports, or throws naming those still open after timeoutMs. */
async function portsClosed(ports: Record<string, string>, names: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open: string[] = [];
    for (const name of names) if (await canConnect('127.0.0.1', Number(ports[name]), 300)) open.push(name);
    if (open.length === 0) return;
    if (Date.now() > deadline) throw new Error(`still listening ${timeoutMs / 1000} s later: ${open.join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A process that would run until killed, standing in for one a previous lab left behind. */
function standIn() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited, running: () => child.exitCode === null && child.signalCode === null };
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
      PAYMENT_DELAY_MS: '20',
      EMAIL_DELAY_MS: '20',
    });
    try {
      await lab.waitFor(/Checkout Lab is running/, 180_000);
      const urls = [...lab.output().matchAll(/(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]);
      expect(urls).toContain(`http://127.0.0.1:${ports.MONOLITH_PORT}`);
      expect(urls).toContain(`http://127.0.0.1:${ports.GATEWAY_PORT}`);
      expect(urls).toContain(`http://127.0.0.1:${ports.DASHBOARD_PORT}`);
      expect(urls).toContain(`http://127.0.0.1:${ports.MAIL_UI_PORT}`);
      expect(urls).toContain(`http://127.0.0.1:${ports.PAYMENT_PROVIDER_PORT}`);
      for (const name of ['MONOLITH_PORT', 'GATEWAY_PORT', 'DASHBOARD_PORT', 'PAYMENT_PROVIDER_PORT']) {
        const response = await fetch(`http://127.0.0.1:${ports[name]}/health`);
        expect(response.status, name).toBe(200);
      }
      const products = await fetch(`http://127.0.0.1:${ports.GATEWAY_PORT}/api/products`);
      expect(products.status).toBe(200);

      // The tokens are signed with a secret made for this lab and kept with its data, never the published one.
      const secret = fs.readFileSync(path.join(dataDir, 'jwt-secret'), 'utf8').trim();
      expect(secret).not.toBe(DEV_JWT_SECRET);
      for (const url of [`http://127.0.0.1:${ports.MONOLITH_PORT}`, `http://127.0.0.1:${ports.GATEWAY_PORT}`]) {
        const login = await fetch(`${url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'admin@checkout.lab', password: 'labadmin123' }),
        });
        const { access_token: token } = (await login.json()) as { access_token: string };
        expect(() => jwt.verify(token, secret), url).not.toThrow();
        expect(() => jwt.verify(token, DEV_JWT_SECRET), url).toThrow();
        // A checkout on each stack is charged at the lab's card provider, each stack a merchant of its own there.
        const as = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
        await fetch(`${url}/api/cart/items`, { method: 'POST', headers: as, body: '{"product_id": 1, "quantity": 1}' });
        const placed = await fetch(`${url}/api/orders/checkout`, { method: 'POST', headers: as });
        expect([201, 202], url).toContain(placed.status);
        const { id } = (await placed.json()) as { id: number };
        let charged = 0;
        for (let tries = 0; tries < 100 && charged === 0; tries++) {
          const audit = (await (await fetch(`${url}/api/lab/audit`, { headers: as })).json()) as {
            orders: { id: number; provider_charges: number }[];
          };
          charged = audit.orders.find((order) => order.id === id)?.provider_charges ?? 0;
          if (charged === 0) await new Promise((r) => setTimeout(r, 100));
        }
        expect(charged, url).toBe(1);
      }
      const ledger = await fetch(
        `http://127.0.0.1:${ports.PAYMENT_PROVIDER_PORT}/v1/charges?merchant=${prefix}_monolith`,
      );
      expect(((await ledger.json()) as { charges: unknown[] }).charges).toHaveLength(1);
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

  describe('with embedded PostgreSQL (DATABASE_URL unset) in one data folder, start after start', () => {
    let ports: Record<string, string>;
    let env: NodeJS.ProcessEnv;
    let dataDir: string;
    // What the lab starts here: embedded PostgreSQL, the mail catcher, the monolith and the dashboard.
    const LAB_PORTS = ['EMBEDDED_PG_PORT', 'MONOLITH_PORT', 'SMTP_PORT', 'MAIL_UI_PORT', 'DASHBOARD_PORT'];

    beforeAll(async () => {
      ports = await portsEnv();
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-embedded-'));
      env = { ...process.env, ...ports, LAB_DATA_DIR: dataDir, LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv;
      delete env.DATABASE_URL;
      delete env.JWT_SECRET;
      // The microservices are covered above; RabbitMQ at a closed port leaves them out here.
      env.AMQP_URL = `amqp://guest:guest@127.0.0.1:${await freePort()}`;
    });
    afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

    it('when SIGTERM arrives while the lab is still starting, then everything started so far is stopped', async () => {
      const lab = runLab(env);
      try {
        // The monolith answers and embedded PostgreSQL runs; the dashboard is on its way.
        await lab.waitFor(/dashboard: starting/, 180_000);
      } finally {
        lab.child.kill('SIGTERM');
        await lab.exited;
      }
      expect(lab.output()).toMatch(/stopped\./);
      await portsClosed(ports, LAB_PORTS, 0);
    });

    it('when the launcher is killed with SIGKILL, then every process it started goes down within seconds', async () => {
      const lab = runLab(env);
      try {
        await lab.waitFor(/Checkout Lab is running/, 180_000);
        expect(lab.output()).toMatch(/embedded/);
        expect(lab.output()).toMatch(/RabbitMQ is not reachable at amqp:\/\/127\.0\.0\.1:\d+: start it with/);
        const response = await fetch(`http://127.0.0.1:${ports.MONOLITH_PORT}/api/products`);
        expect(response.status).toBe(200);
      } finally {
        lab.child.kill('SIGKILL');
        await lab.exited;
      }
      expect(fs.existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
      await portsClosed(ports, LAB_PORTS, 20_000);
      // Not only the ports: every process it recorded has ended (a pid alone could be a later process's).
      const record: LabProcesses = JSON.parse(fs.readFileSync(path.join(dataDir, LAB_PROCESSES_FILE), 'utf8'));
      expect(record.processes.map((entry) => entry.name).sort()).toEqual(['dashboard', 'monolith', 'payment-provider']);
      const deadline = Date.now() + 20_000;
      const running = () => record.processes.filter((entry) => processStartTime(entry.pid) === entry.start);
      while (running().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(running(), 'recorded processes still running').toEqual([]);
    });

    it('when a previous lab left a process behind, then the next start stops it in one line, sparing a reused pid, and SIGTERM stops the lab', async () => {
      const leftover = standIn();
      const reused = standIn();
      try {
        // The record a killed launcher leaves: one of its processes still runs; another pid now belongs to a
        // process that started later (its start time differs), which must be left alone.
        const file = path.join(dataDir, LAB_PROCESSES_FILE);
        const record: LabProcesses = fs.existsSync(file)
          ? JSON.parse(fs.readFileSync(file, 'utf8'))
          : { launcher: { name: 'launcher', pid: 999_999, start: '1' }, processes: [] };
        record.processes.push(
          { name: 'monolith', pid: leftover.child.pid!, start: processStartTime(leftover.child.pid!) },
          { name: 'dashboard', pid: reused.child.pid!, start: '1' },
        );
        fs.writeFileSync(file, JSON.stringify(record));

        const lab = runLab(env);
        try {
          await lab.waitFor(/Checkout Lab is running/, 180_000);
          expect(lab.output()).toMatch(
            new RegExp(`previous lab .*still running \\(monolith pid ${leftover.child.pid}\\): stopped`),
          );
          expect(leftover.running()).toBe(false);
          expect(reused.running()).toBe(true);
        } finally {
          lab.child.kill('SIGTERM');
          await lab.exited;
        }
        expect(lab.output()).toMatch(/stopped\./);
        await portsClosed(ports, LAB_PORTS, 0);
        expect(fs.existsSync(file), 'a lab that stopped cleanly leaves no record of processes').toBe(false);
      } finally {
        leftover.child.kill('SIGKILL');
        reused.child.kill('SIGKILL');
      }
    });
  });
});
