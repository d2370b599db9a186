import { closeServer, listen, runService, type Stoppable, openService, serviceMessaging } from '@checkout-lab/shared';
import { createApp } from './app';
import { readConfig } from './config';
import { migrations } from './data-access/payment.repository';
import type { PaymentKnobs } from './domain/knobs';
import { processPaymentUseCase } from './domain/process-payment.use-case';
import { registerPaymentRequestedConsumer } from './entry-points/messaging/payment-requested.consumer';

const SERVICE = 'payment-service';

async function main(): Promise<Stoppable> {
  const config = readConfig();
  const { log, pool } = await openService(SERVICE, config, migrations);
  // In memory: a restart goes back to the environment's values.
  const knobs: PaymentKnobs = {
    payment_delay_ms: config.PAYMENT_DELAY_MS,
    payment_failure_rate: config.PAYMENT_FAILURE_RATE,
  };
  const messaging = serviceMessaging(SERVICE, config, pool, log);
  registerPaymentRequestedConsumer(messaging, processPaymentUseCase({ pool, knobs }));
  await messaging.start();

  const app = createApp({ pool, messaging, log, knobs, internalSecret: config.INTERNAL_SECRET });
  const server = await listen(app, config.PAYMENT_PORT, config.BIND_HOST);
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
