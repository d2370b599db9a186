import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_ADMIN, freePort, spawnTypeScript, waitForHealthy } from '@checkout-lab/kit';
import {
  createTestDatabase,
  startTestMailCatcher,
  type TestDatabase,
  type TestMail,
  testPaymentProvider,
  testServerUrl,
} from '@checkout-lab/kit/testing';
import pg from 'pg';
import { type ApiResponse, jsonRequest, type RequestOptions } from './json-request';
import { ROOT } from './lab-runner';
import { Supervisor } from './supervisor';

/** The monolith as its own process, supervised as the launcher runs it: an exit it did not ask for is restarted. */
export interface MonolithProcess {
  url: string;
  database: TestDatabase;
  mail: TestMail;
  /** A direct connection to its database, to count rows. */
  sql: pg.Pool;
  adminToken: string;
  supervisor: Supervisor;
  /** Its entry in the supervisor's table: pid, start time, status, restarts. */
  entry(): ReturnType<Supervisor['table']>[number];
  /** Resolves once the supervisor has it running (healthy) in another process than `pid`. */
  runningAgain(pid: number, timeoutMs?: number): Promise<void>;
  api(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  stop(): Promise<void>;
}

/**
 * `monolith/src/index.ts` in a process of its own, as `npm start` runs it (a test shop in the test's process could
 * not be killed without the test), under a Supervisor that restarts it: its own database, mail catcher, free port, and
 * a merchant of its own at the run's card provider. For the tests of what a crash of the monolith does.
 */
export async function startMonolithProcess(env: NodeJS.ProcessEnv = {}): Promise<MonolithProcess> {
  const database = await createTestDatabase('mono_proc');
  const mail = await startTestMailCatcher();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-lab-monolith-')), 'monolith.log');
  const supervisor = new Supervisor({ restart: true });
  const processEnv: NodeJS.ProcessEnv = {
    ...process.env,
    MONOLITH_PORT: String(port),
    DATABASE_URL: testServerUrl(),
    DB_NAME: database.name,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(mail.smtpPort),
    MAIL_UI_URL: mail.webUrl,
    PAYMENT_PROVIDER_URL: testPaymentProvider(database.name).url,
    PAYMENT_MERCHANT: database.name,
    PAYMENT_DELAY_MS: '20',
    EMAIL_DELAY_MS: '20',
    PAYMENT_FAILURE_RATE: '0',
    BCRYPT_ROUNDS: '4',
    DB_POOL_SIZE: '4',
    LOG_LEVEL: process.env.TEST_LOG ?? 'warn',
    LAB_ADMIN_EMAIL: DEFAULT_ADMIN.email,
    LAB_ADMIN_PASSWORD: DEFAULT_ADMIN.password,
    ...env,
  };
  const cleanup = async () => {
    supervisor.endSupervision();
    await supervisor.stop('monolith');
    await mail.stop().catch(() => {});
    await database.drop().catch(() => {});
  };
  try {
    await supervisor.start({
      name: 'monolith',
      stack: 'monolith',
      url,
      spawn: () =>
        spawnTypeScript({
          name: 'monolith',
          entry: path.join(ROOT, 'monolith/src/index.ts'),
          env: processEnv,
          logFile,
          cwd: ROOT,
        }),
      healthy: (run, signal) => waitForHealthy(run, `${url}/health`, 90_000, signal),
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  const sql = new pg.Pool({ connectionString: database.url, max: 2 });
  sql.on('error', () => {});
  const api: MonolithProcess['api'] = (method, route, options) => jsonRequest(`${url}${route}`, method, options);
  const login = await api('POST', '/api/auth/login', {
    body: { email: DEFAULT_ADMIN.email, password: DEFAULT_ADMIN.password },
  });
  const entry = () => {
    const found = supervisor.table().find((candidate) => candidate.name === 'monolith');
    if (!found) throw new Error('the monolith is not supervised');
    return found;
  };
  return {
    url,
    database,
    mail,
    sql,
    adminToken: login.body.access_token,
    supervisor,
    entry,
    async runningAgain(pid, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(entry().pid !== pid && entry().status === 'running')) {
        if (Date.now() > deadline) throw new Error(`the monolith is not running again: ${JSON.stringify(entry())}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    api,
    async stop() {
      await sql.end();
      await cleanup();
    },
  };
}
