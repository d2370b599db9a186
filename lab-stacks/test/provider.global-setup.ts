import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  dropDatabase,
  ensureDatabase,
  freePort,
  type ManagedProcess,
  spawnTypeScript,
  waitForHealthy,
} from '@checkout-lab/kit';
import { testServerUrl, uniqueName } from '@checkout-lab/kit/testing';
import { ROOT } from '../src/lab-runner';

let provider: ManagedProcess | undefined;
let ledger: string | undefined;

/**
 * Every stack the tests start charges the card provider, a process outside both shops: one for the whole run, with
 * a ledger database of its own, started after PostgreSQL (lab-kit's global setup). Its URL reaches the workers as
 * TEST_PAYMENT_PROVIDER_URL; each test stack is a merchant of its own there (lab-kit's testPaymentProvider).
 */
export async function setup(): Promise<void> {
  const server = testServerUrl();
  ledger = uniqueName('provider_test');
  await ensureDatabase(server, ledger);
  const port = await freePort();
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-lab-provider-'));
  provider = spawnTypeScript({
    name: 'payment-provider',
    entry: path.join(ROOT, 'payment-provider/src/index.ts'),
    env: {
      ...process.env,
      DATABASE_URL: server,
      DB_NAME: ledger,
      PAYMENT_PROVIDER_PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    logFile: path.join(logDir, 'payment-provider.log'),
    cwd: ROOT,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealthy(provider, `${url}/health`, 60_000);
  process.env.TEST_PAYMENT_PROVIDER_URL = url;
}

export async function teardown(): Promise<void> {
  await provider?.stop();
  if (ledger) await dropDatabase(testServerUrl(), ledger).catch(() => {});
}
