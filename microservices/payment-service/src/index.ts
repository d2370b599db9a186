import type { Server } from 'node:http';
import { createLogger, LabSetupError } from '@checkout-lab/kit';
import { connectDatabase, Messaging, migrate } from '@checkout-lab/shared';
import { createApp } from './app';
import { readConfig } from './config';
import { migrations } from './data-access/payment.repository';
import type { PaymentKnobs } from './domain/knobs';
import { processPaymentUseCase } from './domain/process-payment.use-case';
import { registerPaymentRequestedConsumer } from './entry-points/messaging/payment-requested.consumer';

const SERVICE = 'payment-service';

async function main(): Promise<void> {
  const config = readConfig();
  const log = createLogger(SERVICE, config.LOG_LEVEL);
  const { pool } = await connectDatabase({
    serverUrl: config.DATABASE_URL,
    dbName: config.DB_NAME,
    poolSize: config.DB_POOL_SIZE,
  });
  await migrate(pool, migrations);
  // In memory: a restart goes back to the environment's values.
  const knobs: PaymentKnobs = {
    payment_delay_ms: config.PAYMENT_DELAY_MS,
    payment_failure_rate: config.PAYMENT_FAILURE_RATE,
  };
  const messaging = new Messaging({
    amqpUrl: config.AMQP_URL,
    rabbitPrefix: config.RABBIT_PREFIX,
    service: SERVICE,
    pool,
    log,
    outboxPollMs: config.OUTBOX_POLL_MS,
  });
  registerPaymentRequestedConsumer(messaging, processPaymentUseCase({ pool, knobs }));
  await messaging.start();

  const app = createApp({ pool, messaging, log, knobs });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(config.PAYMENT_PORT, '0.0.0.0', () => resolve(listening));
  });
  log.info({ port: config.PAYMENT_PORT, db: config.DB_NAME }, 'payment-service listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: no new deliveries, finishing in-flight payments');
    await new Promise((resolve) => server.close(resolve));
    await messaging.stop();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(error instanceof LabSetupError ? error.message : `payment-service failed to start: ${error}`);
  process.exit(1);
});
