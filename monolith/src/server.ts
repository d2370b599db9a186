import type { AddressInfo } from 'node:net';
import {
  DEFAULT_ADMIN,
  DEFAULT_KNOBS,
  DEFAULT_LOGIN_LIMITS,
  DEFAULT_PAYMENT_TIMEOUT_MS,
  DEFAULT_PORTS,
  DEV_JWT_SECRET,
  type Knobs,
  LoginLimiter,
  listenJson,
  type LoginLimits,
  type PaymentProvider,
  createLogger,
} from '@checkout-lab/kit';
import { createApp } from './app';
import { DEFAULT_BCRYPT_ROUNDS } from './config';
import { createDataSource } from './db/data-source';
import { seedAdmin, seedCatalog } from './db/seed';
import { createMailer } from './modules/email';
import { monolithFaults } from './modules/lab';
import type { MonolithDeps } from './shared/deps';
import { jobQueue, jobSchemaExists } from './shared/job-queue';
import { processPaymentJob, sendConfirmationJob } from './modules/orders';
import { NO_FIXES } from '@checkout-lab/contract';

export interface StartMonolithOptions {
  /** URL of the monolith's own database (it must exist; migrations and the seed run here). */
  databaseUrl: string;
  /** Listen port; 0 (the default) picks a free one. */
  port?: number;
  host?: string;
  smtpHost?: string;
  smtpPort: number;
  /** The mail catcher's web URL: reset deletes the monolith's mail there. */
  mailUiUrl?: string;
  knobs?: Partial<Knobs>;
  jwtSecret?: string;
  jwtExpiresInS?: number;
  /** bcrypt cost of password hashes (default DEFAULT_BCRYPT_ROUNDS, 10). */
  bcryptRounds?: number;
  admin?: { email: string; password: string };
  /** Failed logins allowed per account and per address in a window (default DEFAULT_LOGIN_LIMITS). */
  loginLimits?: Partial<LoginLimits>;
  poolSize?: number;
  /** How many jobs the worker of the fixes runs at once (default 10). */
  jobConcurrency?: number;
  logLevel?: string;
  /** The card provider (payment-provider/): its URL, this shop's merchant name, how long a charge may take. */
  paymentProvider?: Partial<PaymentProvider>;
}

export interface RunningMonolith {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Connects, migrates, seeds and listens, all in this process. stop() closes the server, the pool and SMTP. */
export async function startMonolith(options: StartMonolithOptions): Promise<RunningMonolith> {
  const log = createLogger('monolith', options.logLevel);
  const bcryptRounds = options.bcryptRounds ?? DEFAULT_BCRYPT_ROUNDS;
  const db = createDataSource(options.databaseUrl, options.poolSize ?? 10);
  await db.initialize();
  const faults = monolithFaults();
  const mailer = createMailer(options.smtpHost ?? '127.0.0.1', options.smtpPort, () => faults);
  try {
    await db.runMigrations({ transaction: 'each' });
    await seedAdmin(db, options.admin ?? DEFAULT_ADMIN, bcryptRounds);
    await db.transaction((manager) => seedCatalog(manager, 'missing'));
  } catch (error) {
    mailer.close();
    await db.destroy();
    throw error;
  }
  const deps: MonolithDeps = {
    db,
    log,
    knobs: { ...DEFAULT_KNOBS, ...options.knobs },
    faults,
    jwt: { secret: options.jwtSecret ?? DEV_JWT_SECRET, expiresInS: options.jwtExpiresInS ?? 3600 },
    bcryptRounds,
    loginLimiter: new LoginLimiter({ ...DEFAULT_LOGIN_LIMITS, ...options.loginLimits }),
    mailer,
    mailUiUrl: options.mailUiUrl,
    paymentProvider: {
      url: options.paymentProvider?.url ?? `http://127.0.0.1:${DEFAULT_PORTS.PAYMENT_PROVIDER_PORT}`,
      merchant: options.paymentProvider?.merchant ?? 'monolith',
      timeoutMs: options.paymentProvider?.timeoutMs ?? DEFAULT_PAYMENT_TIMEOUT_MS,
    },
    fixes: { ...NO_FIXES },
    // The tasks are called with the deps themselves, once the worker runs (after this object is built).
    jobs: jobQueue({
      db,
      connectionString: options.databaseUrl,
      log,
      concurrency: options.jobConcurrency ?? 10,
      tasks: {
        send_order_confirmation: (payload) => sendConfirmationJob(deps, payload as { order_id: number }),
        process_payment: (payload) => processPaymentJob(deps, payload as { order_id: number; started_at: number }),
      },
    }),
  };
  // Jobs written before a stop or a crash are still waiting: their worker starts with the shop.
  if (await jobSchemaExists(db)) await deps.jobs.start();
  const app = createApp(deps);
  // What Node refuses before Express (a malformed request line, 431) answers in the contract's JSON error shape too.
  const server = await listenJson(app, options.port ?? 0, options.host ?? '127.0.0.1');
  const port = (server.address() as AddressInfo).port;
  log.info({ port, knobs: deps.knobs, pool_size: options.poolSize ?? 10 }, 'monolith listening');
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () => {
      stopped ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // In-flight checkouts get a moment to finish; then whatever is left is cut.
          setTimeout(() => server.closeAllConnections(), 5000).unref();
        });
        await deps.jobs.stop();
        mailer.close();
        await db.destroy();
      })();
      return stopped;
    },
  };
}
