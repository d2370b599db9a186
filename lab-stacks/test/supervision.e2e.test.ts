import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  canConnect,
  DEFAULT_ADMIN,
  DEFAULT_AMQP_URL,
  DEFAULT_PORTS,
  dropDatabase,
  freePort,
  type LabProcess,
  processStartTime,
  readProcessTable,
} from '@checkout-lab/kit';
import { testServerUrl, uniqueName } from '@checkout-lab/kit/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteBrokerObjects, LAB_PROCESSES_FILE, type Lab, startLab } from '../src/index';

// The launcher as a supervisor, on one whole lab started as `npm start` starts it (startLab, every port its own):
// a process killed through the dashboard's lab API is restarted and healthy again, and a lab that stops restarts
// nothing and leaves no process behind.

/** The processes the launcher starts against a PostgreSQL server, with RabbitMQ. */
const SUPERVISED = [
  'api-gateway',
  'cart-service',
  'dashboard',
  'email-service',
  'monolith',
  'order-service',
  'payment-service',
  'product-service',
  'user-service',
];

const JSON_TYPE = { 'content-type': 'application/json' };

/** The processes of this test process that the lab spawned (each runs with lab-kit's parent watch). */
function labChildren(): number[] {
  const children: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (parent === process.pid && command.includes('parent-watch') && processStartTime(Number(pid)) !== null)
        children.push(Number(pid));
    } catch {
      // ended meanwhile
    }
  }
  return children;
}

async function until<T>(what: string, read: () => Promise<T | undefined> | T | undefined, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the launcher supervises every process it started', () => {
  const prefix = uniqueName('lab_supervise');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-supervise-'));
  const lines: string[] = [];
  const ports: Record<string, string> = {};
  let lab: Lab;
  let dashboard: string;
  let cookie = '';

  const table = () => readProcessTable(path.join(dataDir, LAB_PROCESSES_FILE))?.processes ?? [];
  const entry = (name: string) => table().find((candidate) => candidate.name === name);
  const processes = async () => (await (await fetch(`${dashboard}/api/lab/processes`)).json()) as LabProcess[];
  const login = async () => {
    const response = await fetch(`${dashboard}/api/session`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ email: DEFAULT_ADMIN.email, password: DEFAULT_ADMIN.password }),
    });
    expect(response.status).toBe(200);
    cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
  };
  const kill = (name: string, headers: Record<string, string> = {}) =>
    fetch(`${dashboard}/api/lab/processes/${name}/kill`, {
      method: 'POST',
      headers: { ...JSON_TYPE, cookie, ...headers },
    });
  /** Kills it through the lab API and waits until the launcher has it running again, healthy, in a new process. */
  const killAndWatchItComeBack = async (name: string) => {
    const before = entry(name);
    expect(before?.status).toBe('running');
    const answer = await kill(name);
    expect(answer.status).toBe(202);
    expect(await answer.json()).toMatchObject({ name, pid: before?.pid, signal: 'SIGKILL' });
    const after = await until(`${name} running again`, () => {
      const now = entry(name);
      return now && now.pid !== before?.pid && now.status === 'running' ? now : undefined;
    });
    expect(after.restarts).toBe((before?.restarts ?? 0) + 1);
    expect(processStartTime(before?.pid as number)).not.toBe(before?.start);
    const health = await fetch(`${after.url}/health`);
    expect(health.status).toBe(200);
    expect(lines).toContain(`${name} exited (SIGKILL): restarting in 0.5 s (restart ${after.restarts})`);
    return after;
  };

  beforeAll(async () => {
    for (const name of Object.keys(DEFAULT_PORTS)) ports[name] = String(await freePort());
    const env: NodeJS.ProcessEnv = { ...process.env, ...ports, DATABASE_URL: testServerUrl(), LOG_LEVEL: 'warn' };
    delete env.JWT_SECRET;
    lab = await startLab({ env, dataDir, namePrefix: prefix, onProgress: (line) => lines.push(line) });
    dashboard = lab.urls.dashboard as string;
    await login();
  }, 300_000);

  afterAll(async () => {
    await lab?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: testServerUrl() });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database');
    await client.end();
    for (const { datname } of rows) if (datname.startsWith(`${prefix}_`)) await dropDatabase(testServerUrl(), datname);
    await deleteBrokerObjects(process.env.AMQP_URL ?? DEFAULT_AMQP_URL, `${prefix}.`).catch(() => {});
  });

  it('when the lab is up, then GET /api/lab/processes lists each process it started, running, with its pid and url', async () => {
    const listed = await processes();
    // These at least (a process added to the launcher joins them through the same path).
    expect(listed.map((p) => p.name)).toEqual(expect.arrayContaining(SUPERVISED));
    for (const p of listed) {
      expect(p, p.name).toMatchObject({ status: 'running', restarts: 0 });
      expect(processStartTime(p.pid), p.name).not.toBeNull();
    }
    const byName = Object.fromEntries(listed.map((p) => [p.name, p]));
    expect(byName.monolith).toMatchObject({ stack: 'monolith', url: `http://127.0.0.1:${ports.MONOLITH_PORT}` });
    expect(byName['order-service']).toMatchObject({
      stack: 'microservices',
      url: `http://127.0.0.1:${ports.ORDER_PORT}`,
    });
    expect(byName.dashboard).toMatchObject({ stack: 'lab', url: dashboard });
    // What the API shows is the launcher's own table.
    expect(listed).toEqual(table().map(({ start: _start, ...shown }) => shown));
  });

  it('when a kill is asked without the admin, from another origin, or for a process the lab does not run, then it is refused and nothing is killed', async () => {
    const before = entry('order-service');
    const anonymous = await fetch(`${dashboard}/api/lab/processes/order-service/kill`, {
      method: 'POST',
      headers: JSON_TYPE,
    });
    expect(anonymous.status).toBe(401);
    const foreign = await kill('order-service', { origin: 'http://elsewhere.example' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { code: 'FOREIGN_ORIGIN' } });
    const unknown = await kill('postgres');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'NOT_FOUND', details: null } });
    expect(entry('order-service')).toEqual(before);
    expect(processStartTime(before?.pid as number)).toBe(before?.start);
  });

  it('when a microservice is killed through the lab API, then the launcher restarts it and its /health answers again', async () => {
    const after = await killAndWatchItComeBack('order-service');
    expect(await (await fetch(`${after.url}/health`)).json()).toMatchObject({ service: 'order-service' });
    // The gateway reaches it again: the shop is whole.
    await until('the gateway healthy', async () => ((await fetch(`${lab.urls.gateway}/health`)).ok ? true : undefined));
  });

  it('when the monolith is killed through the lab API, then the launcher restarts it and the shop answers again', async () => {
    await killAndWatchItComeBack('monolith');
    expect((await fetch(`${lab.urls.monolith}/api/products`)).status).toBe(200);
  });

  it('when the dashboard is killed from its own API, then it answers 202 first and comes back', async () => {
    await killAndWatchItComeBack('dashboard');
    // Its sessions lived in the process that was killed: log in again.
    expect((await kill('order-service')).status).toBe(401);
    await login();
    expect((await processes()).find((p) => p.name === 'dashboard')).toMatchObject({ status: 'running', restarts: 1 });
  });

  it('when the lab stops, even just after a kill, then nothing is restarted and no process is left', async () => {
    const recorded = table();
    expect(labChildren().sort()).toEqual(recorded.map((p) => p.pid).sort());
    // A restart is pending (0.5 s) when the stop begins.
    expect((await kill('cart-service')).status).toBe(202);
    const stopping = lines.length;
    await lab.stop();
    await new Promise((r) => setTimeout(r, 2000));
    expect(labChildren()).toEqual([]);
    for (const p of recorded) expect(processStartTime(p.pid), p.name).not.toBe(p.start);
    for (const [name, port] of Object.entries(ports)) {
      if (name === 'EMBEDDED_PG_PORT') continue;
      expect(await canConnect('127.0.0.1', Number(port), 500), `${name} ${port} is closed`).toBe(false);
    }
    // At most the cart-service's own exit line, said before the stop; nothing restarting after it.
    expect(
      lines.slice(stopping).filter((line) => / restarting in /.test(line) && !line.startsWith('cart-service')),
    ).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, LAB_PROCESSES_FILE))).toBe(false);
  });
});
