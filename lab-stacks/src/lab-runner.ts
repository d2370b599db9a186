import crypto from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  assertPortFree,
  assertRabbitReachable,
  canConnect,
  DEFAULT_ADMIN,
  DEFAULT_PORTS,
  DATABASE_NAMES,
  ensureDatabase,
  ensurePostgres,
  type LabProcessStack,
  LabSetupError,
  type MailCatcher,
  type PostgresServer,
  type ProcessTableEntry,
  redact,
  spawnTypeScript,
  startMailCatcher,
  waitForHealthy,
} from '@checkout-lab/kit';
import { labJwtSecret, ProcessRecord, stopLeftovers } from './lab-processes';
import { Supervisor } from './supervisor';

/**
 * The lab launcher behind `npm start` (and the benchmarks when no lab answers): PostgreSQL (embedded unless
 * DATABASE_URL is set), the mail catcher, the monolith, the microservices when RabbitMQ answers, and the dashboard.
 * It starts them in that order and, when any step fails or the start is aborted, stops what it had started before it
 * reports the problem. Every process it starts is supervised (supervisor.ts: restarted when it exits unasked),
 * recorded in the data folder (lab-processes.ts: the dashboard's GET /api/lab/processes reads it) and watches this
 * one, so none outlives a launcher that dies without stopping them; the next start stops any that did.
 */

/** The repository's root: the launcher starts every stack from its paths. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type PortName = keyof typeof DEFAULT_PORTS;

export interface LabOptions {
  /** The environment to read the variables of docs/conventions.md from. */
  env?: NodeJS.ProcessEnv;
  /** Where embedded PostgreSQL keeps its data and the processes their logs. */
  dataDir?: string;
  /** Progress lines for a person ("starting the monolith..."). */
  onProgress?: (line: string) => void;
  /** Start the dashboard too (the benchmarks do not need it). */
  dashboard?: boolean;
  /**
   * Gives every database and broker name this prefix (LAB_NAME_PREFIX), so that a second lab on the same PostgreSQL
   * server and RabbitMQ (a test run, a benchmark) never touches the first one's data.
   */
  namePrefix?: string;
  /**
   * Aborting it while the lab starts (a SIGTERM to the launcher, Ctrl-C in a benchmark) stops everything started so
   * far; startLab then rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

export interface LabUrls {
  monolith: string;
  gateway: string | null;
  dashboard: string | null;
  mailUi: string;
  /** The card provider both stacks charge. */
  paymentProvider: string;
  smtp: string;
  database: string;
  amqp: string | null;
}

export interface Lab {
  urls: LabUrls;
  /** The PostgreSQL server's URL with its password, for tools on this machine (the benchmarks read its version). */
  serverUrl: string;
  /** Why a part was left out (RabbitMQ missing, say), one line each. */
  warnings: string[];
  logDir: string;
  /** The microservices' RABBIT_PREFIX (their queue names start with it); null when they were not started. */
  rabbitPrefix: string | null;
  /** The supervised processes now: name, stack, pid, status, restarts, url (GET /api/lab/processes's rows). */
  processes(): ProcessTableEntry[];
  /** SIGKILL to one supervised process, which the supervisor then restarts; false when none of that name runs. */
  kill(name: string): boolean;
  stop(): Promise<void>;
}

function port(env: NodeJS.ProcessEnv, name: PortName): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return DEFAULT_PORTS[name];
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new LabSetupError(`${name}=${raw} is not a port number (1-65535).`);
  }
  return value;
}

/** Starts rabbitmq-server when it is installed here but not running; true when it then answers. */
async function tryStartLocalRabbit(
  amqpUrl: string,
  onProgress: (line: string) => void,
  signal?: AbortSignal,
): Promise<boolean> {
  const url = new URL(amqpUrl);
  // Only the broker a local install would run: the default port on this machine.
  if (!['127.0.0.1', 'localhost', '::1'].includes(url.hostname) || Number(url.port || 5672) !== 5672) return false;
  const which = spawnSync('sh', ['-c', 'command -v rabbitmq-server'], { encoding: 'utf8' });
  if (which.status !== 0) return false;
  onProgress('RabbitMQ is not running: starting the local rabbitmq-server (about 10 s)...');
  try {
    execFileSync('rabbitmq-server', ['-detached'], { stdio: 'ignore' });
  } catch {
    return false;
  }
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (await canConnect(url.hostname, Number(url.port || 5672))) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const env = options.env ?? process.env;
  const onProgress = options.onProgress ?? (() => {});
  const signal = options.signal;
  const dataDir = path.resolve(options.dataDir ?? env.LAB_DATA_DIR ?? path.join(ROOT, '.lab-data'));
  const logDir = path.join(dataDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const withDashboard = options.dashboard ?? true;
  const namePrefix = options.namePrefix ?? env.LAB_NAME_PREFIX ?? '';
  if (namePrefix && !/^[a-z][a-z0-9_]*$/.test(namePrefix)) {
    throw new LabSetupError(`LAB_NAME_PREFIX=${namePrefix} must be lower-case letters, digits and underscores.`);
  }
  const dbName = (name: keyof typeof DATABASE_NAMES) => (namePrefix ? `${namePrefix}_${name}` : DATABASE_NAMES[name]);

  const ports = Object.fromEntries(
    (Object.keys(DEFAULT_PORTS) as PortName[]).map((name) => [name, port(env, name)]),
  ) as Record<PortName, number>;
  const amqpUrl = env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
  const admin = {
    email: env.LAB_ADMIN_EMAIL || DEFAULT_ADMIN.email,
    password: env.LAB_ADMIN_PASSWORD || DEFAULT_ADMIN.password,
  };

  // Every port is checked before anything starts, so a taken one costs nothing to fix.
  const wanted: [PortName, string][] = [
    ['SMTP_PORT', 'mail catcher SMTP'],
    ['MAIL_UI_PORT', 'mail catcher web page'],
    ['MONOLITH_PORT', 'monolith'],
    ['GATEWAY_PORT', 'API gateway'],
    ['ORDER_PORT', 'order-service'],
    ['PAYMENT_PORT', 'payment-service'],
    ['EMAIL_PORT', 'email-service'],
    ['PRODUCT_PORT', 'product-service'],
    ['USER_PORT', 'user-service'],
    ['CART_PORT', 'cart-service'],
    ['PAYMENT_PROVIDER_PORT', 'payment provider'],
  ];
  if (withDashboard) wanted.push(['DASHBOARD_PORT', 'lab dashboard']);
  // A previous lab from this folder whose launcher died (kill -9) may still hold the ports: stop it first.
  const leftovers = await stopLeftovers(dataDir);
  if (leftovers) onProgress(leftovers);
  for (const [name, what] of wanted) await assertPortFree(ports[name], what, name);
  signal?.throwIfAborted();

  const record = new ProcessRecord(dataDir);
  const supervisor = new Supervisor({ restart: true, say: onProgress, onChange: (table) => record.update(table) });
  // The lab's processes (kind "process") stop together, each within its grace period (STOP_GRACE_MS, then SIGKILL),
  // so a stuck one costs no more than that; PostgreSQL and the mail catcher they use stop after them, last first.
  const stops: { name: string; kind: 'process' | 'infrastructure'; stop: () => Promise<void> }[] = [];
  const warnings: string[] = [];
  const stopOne = ({ name, stop }: (typeof stops)[number]) =>
    stop().catch((error) => onProgress(`  ${name} did not stop cleanly: ${(error as Error).message}`));
  const stopAll = async () => {
    // Nothing is restarted from here on, whatever exits while the lab stops.
    supervisor.endSupervision();
    const processes = stops.filter((entry) => entry.kind === 'process').reverse();
    if (processes.length > 0) onProgress(`stopping ${processes.map((entry) => entry.name).join(', ')}`);
    await Promise.all(processes.map(stopOne));
    for (const entry of stops.filter((e) => e.kind === 'infrastructure').reverse()) {
      onProgress(`stopping ${entry.name}`);
      await stopOne(entry);
    }
    stops.length = 0;
    record.clear();
  };

  try {
    // Tokens outlive a restart, and no lab signs with the secret this repository publishes (DEV_JWT_SECRET).
    let jwtSecret = env.JWT_SECRET;
    if (!jwtSecret) {
      const generated = labJwtSecret(dataDir);
      jwtSecret = generated.secret;
      onProgress(
        `JWT_SECRET is unset: signing tokens with this lab's own secret, ${generated.created ? 'made now and kept' : 'kept'} in ${generated.file}`,
      );
    }

    onProgress(
      env.DATABASE_URL ? `PostgreSQL: ${redact(env.DATABASE_URL)}` : 'PostgreSQL: starting the embedded server...',
    );
    const postgres: PostgresServer = await ensurePostgres({
      databaseUrl: env.DATABASE_URL || undefined,
      dataDir: path.join(dataDir, 'postgres'),
      port: ports.EMBEDDED_PG_PORT,
    });
    stops.push({ name: 'PostgreSQL', kind: 'infrastructure', stop: () => postgres.stop() });
    signal?.throwIfAborted();
    const serverUrl = postgres.adminUrl;

    onProgress('mail catcher: starting...');
    const mail: MailCatcher = await startMailCatcher({
      smtpPort: ports.SMTP_PORT,
      webPort: ports.MAIL_UI_PORT,
      checkPorts: false,
    });
    stops.push({ name: 'mail catcher', kind: 'infrastructure', stop: () => mail.stop() });
    signal?.throwIfAborted();

    const common: NodeJS.ProcessEnv = {
      ...env,
      DATABASE_URL: serverUrl,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(ports.SMTP_PORT),
      MAIL_UI_URL: mail.webUrl,
      LAB_ADMIN_EMAIL: admin.email,
      LAB_ADMIN_PASSWORD: admin.password,
      AMQP_URL: amqpUrl,
      JWT_SECRET: jwtSecret,
      // The microservices' internal tokens: a secret made per run (every process of the run, restarts included, gets
      // this environment), so nothing on this machine can sign as the gateway with the published development default.
      INTERNAL_SECRET: env.INTERNAL_SECRET || crypto.randomBytes(32).toString('hex'),
      PAYMENT_PROVIDER_URL: `http://127.0.0.1:${ports.PAYMENT_PROVIDER_PORT}`,
    };
    // Each stack is a merchant of its own at the provider; a prefixed lab's are prefixed too.
    const merchant = (stack: 'monolith' | 'microservices') => (namePrefix ? `${namePrefix}_${stack}` : stack);

    /** Starts a TypeScript process of the lab under the supervisor; resolves once its /health answers. */
    const startProcess = async (spec: {
      name: string;
      stack: LabProcessStack;
      entry: string;
      env: NodeJS.ProcessEnv;
      url: string;
    }) => {
      stops.push({ name: spec.name, kind: 'process', stop: () => supervisor.stop(spec.name) });
      const { name, entry, env: processEnv, url } = spec;
      await supervisor.start(
        {
          name,
          stack: spec.stack,
          url,
          spawn: () =>
            spawnTypeScript({
              name,
              entry: path.join(ROOT, entry),
              env: processEnv,
              logFile: path.join(logDir, `${name}.log`),
              cwd: ROOT,
            }),
          healthy: (run, abort) => waitForHealthy(run, `${url}/health`, 90_000, abort),
        },
        signal,
      );
    };

    // The card provider first: both shops charge it, outside their own databases.
    onProgress('payment provider: starting...');
    await startProcess({
      name: 'payment-provider',
      stack: 'lab',
      entry: 'payment-provider/src/index.ts',
      env: { ...common, PAYMENT_PROVIDER_PORT: String(ports.PAYMENT_PROVIDER_PORT), DB_NAME: dbName('provider') },
      url: common.PAYMENT_PROVIDER_URL as string,
    });

    onProgress('monolith: migrating, seeding, starting...');
    const monolithUrl = `http://127.0.0.1:${ports.MONOLITH_PORT}`;
    await startProcess({
      name: 'monolith',
      stack: 'monolith',
      entry: 'monolith/src/index.ts',
      env: {
        ...common,
        MONOLITH_PORT: String(ports.MONOLITH_PORT),
        DB_NAME: dbName('monolith'),
        PAYMENT_MERCHANT: merchant('monolith'),
      },
      url: monolithUrl,
    });

    let gatewayUrl: string | null = null;
    let rabbitPrefix = env.RABBIT_PREFIX ?? '';
    let rabbitUp = true;
    try {
      await assertRabbitReachable(amqpUrl);
    } catch (error) {
      rabbitUp = await tryStartLocalRabbit(amqpUrl, onProgress, signal);
      if (!rabbitUp) warnings.push(`${(error as Error).message} The microservices are not started; the monolith runs.`);
    }
    if (rabbitUp) {
      onProgress('microservices: starting the gateway and six services...');
      const { startMicroservices } = await import('./microservices');
      const micro = await startMicroservices({
        serverUrl,
        amqpUrl,
        smtpHost: '127.0.0.1',
        smtpPort: ports.SMTP_PORT,
        mailUiUrl: mail.webUrl,
        namePrefix: namePrefix || undefined,
        ports: {
          'api-gateway': ports.GATEWAY_PORT,
          'order-service': ports.ORDER_PORT,
          'payment-service': ports.PAYMENT_PORT,
          'email-service': ports.EMAIL_PORT,
          'product-service': ports.PRODUCT_PORT,
          'user-service': ports.USER_PORT,
          'cart-service': ports.CART_PORT,
        },
        env: { ...common, PAYMENT_MERCHANT: merchant('microservices') },
        logDir,
        signal,
        supervisor,
      });
      stops.push({ name: 'microservices', kind: 'process', stop: () => micro.stop() });
      gatewayUrl = micro.gatewayUrl;
      rabbitPrefix = micro.rabbitPrefix;
    }

    let dashboardUrl: string | null = null;
    if (withDashboard) {
      onProgress('dashboard: starting...');
      dashboardUrl = `http://127.0.0.1:${ports.DASHBOARD_PORT}`;
      await ensureDatabase(serverUrl, dbName('lab'));
      signal?.throwIfAborted();
      await startProcess({
        name: 'dashboard',
        stack: 'lab',
        entry: 'lab-dashboard/server/index.ts',
        env: {
          ...common,
          DASHBOARD_PORT: String(ports.DASHBOARD_PORT),
          DB_NAME: dbName('lab'),
          // The lessons' checks read the stacks' databases by the same prefixed names.
          LAB_NAME_PREFIX: namePrefix,
          RABBIT_PREFIX: rabbitPrefix,
          MONOLITH_URL: monolithUrl,
          GATEWAY_URL: gatewayUrl ?? `http://127.0.0.1:${ports.GATEWAY_PORT}`,
          // The process table it serves as GET /api/lab/processes.
          LAB_PROCESS_TABLE: record.file,
        },
        url: dashboardUrl,
      });
    }

    return {
      urls: {
        monolith: monolithUrl,
        gateway: gatewayUrl,
        dashboard: dashboardUrl,
        mailUi: mail.webUrl,
        paymentProvider: common.PAYMENT_PROVIDER_URL as string,
        smtp: `smtp://127.0.0.1:${ports.SMTP_PORT}`,
        database: postgres.embedded
          ? `${redact(serverUrl)} (embedded, data in ${path.join(dataDir, 'postgres')})`
          : redact(serverUrl),
        amqp: rabbitUp ? redact(amqpUrl) : null,
      },
      serverUrl,
      warnings,
      logDir,
      rabbitPrefix: gatewayUrl ? rabbitPrefix : null,
      processes: () => supervisor.table(),
      kill: (name) => supervisor.kill(name),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
