import { openService, type RunningService, serve, serviceMessaging } from '@checkout-lab/shared';
import { createApp } from './app';
import type { PaymentConfig } from './config';
import { migrations } from './data-access/payment.repository';
import { type PaymentKnobs, paymentFaults } from './domain/knobs';
import { processPaymentUseCase } from './domain/process-payment.use-case';
import { registerPaymentRequestedConsumer } from './entry-points/messaging/payment-requested.consumer';

export type { RunningService };

const SERVICE = 'payment-service';

/**
 * Its database (created, migrated), the payment-requested consumer and the outbox relay, then HTTP on PAYMENT_PORT
 * (0: a free port), for /health and the lab. Index.ts runs it as a process; tests may start it in theirs.
 */
export async function startPaymentService(config: PaymentConfig): Promise<RunningService> {
  const { log, pool } = await openService(SERVICE, config, migrations);
  // In memory: a restart goes back to the environment's values.
  const knobs: PaymentKnobs = {
    payment_delay_ms: config.PAYMENT_DELAY_MS,
    payment_failure_rate: config.PAYMENT_FAILURE_RATE,
  };
  const faults = paymentFaults();

  const provider = {
    url: config.PAYMENT_PROVIDER_URL,
    merchant: config.PAYMENT_MERCHANT,
    timeoutMs: config.PAYMENT_TIMEOUT_MS,
  };

  const messaging = serviceMessaging(SERVICE, config, pool, log);
  registerPaymentRequestedConsumer(messaging, processPaymentUseCase({ pool, knobs, faults, provider, log }));
  await messaging.start(); // the consumer, and the outbox relay that publishes payment.payment.processed / declined

  const app = createApp({ log, internalSecret: config.INTERNAL_SECRET, pool, messaging, knobs, provider, faults });
  return serve(app, { service: SERVICE, port: config.PAYMENT_PORT, config, log, pool, messaging });
}
