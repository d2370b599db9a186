import {
  LabSetupError,
  assertPortFree,
  createLogger,
  ensureOwnDatabase,
  loginLimitsFrom,
  stopOnSignals,
} from '@checkout-lab/kit';
import { loadConfig } from './config';
import { startMonolith } from './server';

/** The monolith as a process: config from the environment, its database ensured, then listen until SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('monolith', config.LOG_LEVEL);
  await assertPortFree(config.MONOLITH_PORT, 'monolith', 'MONOLITH_PORT', '0.0.0.0');
  const databaseUrl = await ensureOwnDatabase(config.DATABASE_URL, config.DB_NAME);
  const monolith = await startMonolith({
    databaseUrl,
    port: config.MONOLITH_PORT,
    host: '0.0.0.0',
    smtpHost: config.SMTP_HOST,
    smtpPort: config.SMTP_PORT,
    mailUiUrl: config.MAIL_UI_URL,
    knobs: {
      payment_delay_ms: config.PAYMENT_DELAY_MS,
      email_delay_ms: config.EMAIL_DELAY_MS,
      payment_failure_rate: config.PAYMENT_FAILURE_RATE,
    },
    paymentProvider: {
      url: config.PAYMENT_PROVIDER_URL,
      merchant: config.PAYMENT_MERCHANT,
      timeoutMs: config.PAYMENT_TIMEOUT_MS,
    },
    jwtSecret: config.JWT_SECRET,
    jwtExpiresInS: config.JWT_EXPIRES_IN_S,
    bcryptRounds: config.BCRYPT_ROUNDS,
    admin: { email: config.LAB_ADMIN_EMAIL, password: config.LAB_ADMIN_PASSWORD },
    loginLimits: loginLimitsFrom(config),
    poolSize: config.DB_POOL_SIZE,
    jobConcurrency: config.JOB_CONCURRENCY,
    logLevel: config.LOG_LEVEL,
  });
  log.info(`monolith ready on http://localhost:${monolith.port} (API docs at /docs)`);
  // In-flight checkouts get the grace period to finish; a stuck one (a hung payment or mail server) does not keep the
  // process alive past it: its transaction is rolled back when the connection goes.
  stopOnSignals(() => monolith.stop(), { name: 'monolith', onSignal: (signal) => log.info({ signal }, 'stopping') });
}

// The process entry (`npm start -w @checkout-lab/monolith`, the launcher, the Dockerfile); the package's library
// entry is server.ts (startMonolith), which starts nothing when imported.
main().catch((error) => {
  // A problem the person can fix is one line; anything else is still one line, without a stack trace.
  const message = error instanceof Error ? error.message : String(error);
  console.error(error instanceof LabSetupError ? message : `The monolith failed to start: ${message}`);
  process.exit(1);
});
