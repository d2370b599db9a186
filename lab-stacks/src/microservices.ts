import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DATABASE_NAMES,
  DEFAULT_AMQP_URL,
  type DEFAULT_PORTS,
  type Knobs,
  databaseUrl,
  freePort,
  LabSetupError,
  type ManagedProcess,
  spawnTypeScript,
} from '@checkout-lab/kit';
import { type ProcessSpec, Supervisor } from './supervisor';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const SERVICE_NAMES = [
  'api-gateway',
  'user-service',
  'product-service',
  'cart-service',
  'order-service',
  'payment-service',
  'email-service',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const SERVICE_PORT_VARIABLE: Record<ServiceName, keyof typeof DEFAULT_PORTS> = {
  'api-gateway': 'GATEWAY_PORT',
  'user-service': 'USER_PORT',
  'product-service': 'PRODUCT_PORT',
  'cart-service': 'CART_PORT',
  'order-service': 'ORDER_PORT',
  'payment-service': 'PAYMENT_PORT',
  'email-service': 'EMAIL_PORT',
};

const SERVICE_DATABASE: Record<ServiceName, keyof typeof DATABASE_NAMES | null> = {
  'api-gateway': null,
  'user-service': 'users',
  'product-service': 'products',
  'cart-service': 'carts',
  'order-service': 'orders',
  'payment-service': 'payments',
  'email-service': 'emails',
};

const SERVICE_URL_VARIABLE: Partial<Record<ServiceName, string>> = {
  'user-service': 'USER_SERVICE_URL',
  'product-service': 'PRODUCT_SERVICE_URL',
  'cart-service': 'CART_SERVICE_URL',
  'order-service': 'ORDER_SERVICE_URL',
  'payment-service': 'PAYMENT_SERVICE_URL',
  'email-service': 'EMAIL_SERVICE_URL',
};

export interface StartMicroservicesOptions {
  /** The PostgreSQL server: each service creates its own database on it. */
  serverUrl: string;
  amqpUrl?: string;
  smtpHost?: string;
  smtpPort: number;
  mailUiUrl?: string;
  /** Database names become <prefix>_orders ... and RABBIT_PREFIX=<prefix>, so runs never collide. */
  namePrefix?: string;
  ports?: Partial<Record<ServiceName, number>>;
  knobs?: Partial<Knobs>;
  /** Extra environment for every process (JWT_SECRET, LOG_LEVEL, LAB_ADMIN_*...). */
  env?: NodeJS.ProcessEnv;
  /** Each process's output goes to <logDir>/<service>.log; default: a temporary folder. */
  logDir?: string;
  /** Only these services (default: every service folder that has a src/index.ts). */
  only?: ServiceName[];
  healthTimeoutMs?: number;
  /** Aborting it while the services start stops those started so far; startMicroservices then throws its reason. */
  signal?: AbortSignal;
  /** Called with every process spawned (each restart too). */
  onSpawn?: (name: ServiceName, child: ChildProcess) => void;
  /**
   * Runs every service under this supervisor (the launcher's: it restarts a service that exits unasked and records
   * it in the lab's process table). Without one, an exit is final: a test that kills a service restarts it itself.
   */
  supervisor?: Supervisor;
}

export interface ServiceHandle {
  url: string;
  port: number;
  databaseUrl: string | null;
  /** False when the service folder has no src/index.ts yet, or it was left out with `only`. */
  started: boolean;
  logFile: string;
}

export interface MicroStack {
  gatewayUrl: string;
  services: Record<ServiceName, ServiceHandle>;
  rabbitPrefix: string;
  /** Services that were not started (no src/index.ts yet, or not in `only`). */
  missing: ServiceName[];
  kill(name: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  restart(name: ServiceName): Promise<void>;
  /** The pid of the service's current run, and that run's start time (lab-kit's processStartTime); null: never started. */
  process(name: ServiceName): { pid: number; start: string | null } | null;
  stop(): Promise<void>;
}

/**
 * Every child of every stack in this process, killed on exit so a failing test never leaves a process behind. A
 * parent that dies without an exit (SIGKILL) is covered by each child's parent watch (lab-kit's typeScriptCommand).
 */
const allChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of allChildren) child.kill('SIGKILL');
  });
}

export function serviceExists(name: ServiceName): boolean {
  return fs.existsSync(path.join(ROOT, 'microservices', name, 'src', 'index.ts'));
}

function tail(file: string, lines = 25): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Spawns the microservices (`node --import tsx microservices/<name>/src/index.ts`), each with its port, database,
 * broker prefix and the URLs of the others, and waits until every /health answers 200.
 */
export async function startMicroservices(options: StartMicroservicesOptions): Promise<MicroStack> {
  installExitHook();
  const prefix = options.namePrefix ?? '';
  const logDir = options.logDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-lab-micro-'));
  fs.mkdirSync(logDir, { recursive: true });
  const wanted = options.only ?? [...SERVICE_NAMES];
  const toStart = SERVICE_NAMES.filter((name) => wanted.includes(name) && serviceExists(name));
  const missing = SERVICE_NAMES.filter((name) => !toStart.includes(name));

  const services = {} as Record<ServiceName, ServiceHandle>;
  for (const name of SERVICE_NAMES) {
    const port = options.ports?.[name] ?? (await freePort());
    const db = SERVICE_DATABASE[name];
    const dbName = db ? (prefix ? `${prefix}_${db}` : DATABASE_NAMES[db]) : null;
    services[name] = {
      url: `http://127.0.0.1:${port}`,
      port,
      databaseUrl: dbName ? databaseUrl(options.serverUrl, dbName) : null,
      started: toStart.includes(name),
      logFile: path.join(logDir, `${name}.log`),
    };
  }

  const knobs = options.knobs ?? {};
  const common: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    DATABASE_URL: options.serverUrl,
    AMQP_URL: options.amqpUrl ?? DEFAULT_AMQP_URL,
    RABBIT_PREFIX: prefix || (options.env?.RABBIT_PREFIX ?? ''),
    SMTP_HOST: options.smtpHost ?? '127.0.0.1',
    SMTP_PORT: String(options.smtpPort),
    ...(options.mailUiUrl ? { MAIL_UI_URL: options.mailUiUrl } : {}),
    ...(knobs.payment_delay_ms !== undefined ? { PAYMENT_DELAY_MS: String(knobs.payment_delay_ms) } : {}),
    ...(knobs.email_delay_ms !== undefined ? { EMAIL_DELAY_MS: String(knobs.email_delay_ms) } : {}),
    ...(knobs.payment_failure_rate !== undefined ? { PAYMENT_FAILURE_RATE: String(knobs.payment_failure_rate) } : {}),
  };
  for (const name of SERVICE_NAMES) {
    common[SERVICE_PORT_VARIABLE[name]] = String(services[name].port);
    const urlVariable = SERVICE_URL_VARIABLE[name];
    if (urlVariable) common[urlVariable] = services[name].url;
  }
  // A service's own DB_NAME is set per process below; never inherit one from the parent.
  delete common.DB_NAME;

  const supervisor = options.supervisor ?? new Supervisor({ restart: false });
  const started = new Set<ServiceName>();

  function spawnService(name: ServiceName): ManagedProcess {
    const db = SERVICE_DATABASE[name];
    const env: NodeJS.ProcessEnv = { ...common };
    if (db) env.DB_NAME = prefix ? `${prefix}_${db}` : DATABASE_NAMES[db];
    const run = spawnTypeScript({
      name,
      entry: path.join(ROOT, 'microservices', name, 'src', 'index.ts'),
      env,
      logFile: services[name].logFile,
      cwd: ROOT,
    });
    allChildren.add(run.child);
    run.exited.then(() => allChildren.delete(run.child));
    options.onSpawn?.(name, run.child);
    return run;
  }

  async function waitHealthy(name: ServiceName, run: ManagedProcess, signal?: AbortSignal): Promise<void> {
    const handle = services[name];
    const deadline = Date.now() + (options.healthTimeoutMs ?? 60_000);
    let last = 'no answer';
    for (;;) {
      signal?.throwIfAborted();
      if (run.child.exitCode !== null || run.child.signalCode !== null) {
        throw new LabSetupError(
          `${name} exited (${run.child.exitCode ?? run.child.signalCode}) before it was healthy; the end of ${handle.logFile}:\n${tail(handle.logFile)}`,
        );
      }
      try {
        const response = await fetch(`${handle.url}/health`, { signal: AbortSignal.timeout(2000) });
        const text = await response.text();
        // Only this service's own answer counts: a port taken by another process would answer for someone else.
        const answered = (JSON.parse(text || 'null') as { service?: unknown } | null)?.service;
        if (response.ok && answered === name) return;
        last = answered === name ? `${response.status} ${text}` : `${handle.url} answers as ${String(answered)}`;
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() > deadline) {
        throw new LabSetupError(
          `${name} did not become healthy at ${handle.url}/health (${last}); the end of ${handle.logFile}:\n${tail(handle.logFile)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  /** Every run of a service is spawned and checked this way, its restarts by the supervisor too. */
  const spec = (name: ServiceName): ProcessSpec => ({
    name,
    stack: 'microservices',
    url: services[name].url,
    spawn: () => spawnService(name),
    healthy: (run, signal) => waitHealthy(name, run, signal),
  });

  async function startService(name: ServiceName): Promise<void> {
    started.add(name);
    await supervisor.start(spec(name), options.signal);
  }

  async function kill(name: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (started.has(name)) await supervisor.stop(name, signal);
  }

  async function stop(): Promise<void> {
    // The gateway first, so nothing new comes in; then the rest together. Each gets STOP_GRACE_MS, then SIGKILL.
    await kill('api-gateway', 'SIGTERM');
    await Promise.all([...started].map((name) => kill(name, 'SIGTERM')));
  }

  try {
    // Services the others call first, the gateway last: each one's /health may check its neighbours.
    const order: ServiceName[] = [
      'user-service',
      'product-service',
      'cart-service',
      'payment-service',
      'email-service',
      'order-service',
      'api-gateway',
    ];
    const inOrder = order.filter((name) => toStart.includes(name));
    const backends = inOrder.filter((name) => name !== 'api-gateway');
    await Promise.all(backends.map(startService));
    if (inOrder.includes('api-gateway')) await startService('api-gateway');
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    gatewayUrl: services['api-gateway'].url,
    services,
    rabbitPrefix: common.RABBIT_PREFIX ?? '',
    missing,
    kill,
    process(name) {
      const entry = supervisor.table().find((candidate) => candidate.name === name);
      return entry ? { pid: entry.pid, start: entry.start } : null;
    },
    async restart(name) {
      await kill(name, 'SIGTERM');
      await startService(name);
    },
    stop,
  };
}
