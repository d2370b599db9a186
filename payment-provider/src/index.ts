import { assertPortFree, ensureOwnDatabase, LabSetupError, stopOnSignals } from '@checkout-lab/kit';
import { loadConfig } from './config';
import { startPaymentProvider } from './server';

/** The provider as a process: config from the environment, its ledger database ensured, then listen until a signal. */
async function main(): Promise<void> {
  const config = loadConfig();
  await assertPortFree(config.PAYMENT_PROVIDER_PORT, 'payment provider', 'PAYMENT_PROVIDER_PORT', config.BIND_HOST);
  const databaseUrl = await ensureOwnDatabase(config.DATABASE_URL, config.DB_NAME);
  const provider = await startPaymentProvider({
    databaseUrl,
    port: config.PAYMENT_PROVIDER_PORT,
    host: config.BIND_HOST,
    logLevel: config.LOG_LEVEL,
  });
  stopOnSignals(() => provider.stop(), { name: 'payment-provider' });
}

main().catch((error) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(error instanceof LabSetupError ? message : `The payment provider failed to start: ${message}`);
  process.exit(1);
});
