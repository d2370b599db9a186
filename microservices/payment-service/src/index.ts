import { createLogger } from '@checkout-lab/kit';
import {
  closeServer,
  connectDatabase,
  listen,
  Messaging,
  migrate,
  runService,
  type Stoppable,
} from '@checkout-lab/shared';
import { createApp } from './app';
import { readConfig } from './config';
import { migrations } from './data-access/payment.repository';
import type { PaymentKnobs } from './domain/knobs';
import { processPaymentUseCase } from './domain/process-payment.use-case';
import { registerPaymentRequestedConsumer } from './entry-points/messaging/payment-requested.consumer';

const SERVICE = 'payment-service';

async function main(): Promise<Stoppable> {
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
  const server = await listen(app, config.PAYMENT_PORT);
  log.info({ port: config.PAYMENT_PORT, db: config.DB_NAME }, 'payment-service listening');

  return {
    async stop() {
      log.info('stopping: no new deliveries, finishing in-flight payments');
      await closeServer(server);
      await messaging.stop();
      await pool.end();
    },
  };
}

runService(SERVICE, main);
