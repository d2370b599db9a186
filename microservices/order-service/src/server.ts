import { internalAuth, openService, type RunningService, serve, serviceMessaging } from '@checkout-lab/shared';
import { createApp } from './app';
import type { OrderConfig } from './config';
import { cartClient } from './data-access/cart.client';
import { migrations } from './data-access/migrations';
import { crashBeforePublish, orderFaults } from './domain/faults';
import { sagaUseCases } from './domain/saga.use-case';
import { registerEmailSentConsumer } from './entry-points/messaging/email-sent.consumer';
import { registerPaymentDeclinedConsumer } from './entry-points/messaging/payment-declined.consumer';
import { registerPaymentProcessedConsumer } from './entry-points/messaging/payment-processed.consumer';
import { registerStockRejectedConsumer } from './entry-points/messaging/stock-rejected.consumer';
import { registerStockReservedConsumer } from './entry-points/messaging/stock-reserved.consumer';

export type { RunningService };

const SERVICE = 'order-service';

/**
 * Its database (created, migrated), the saga's five consumers and the outbox relay, then HTTP on ORDER_PORT
 * (0: a free port). Index.ts runs it as a process; tests may start it in theirs.
 */
export async function startOrderService(config: OrderConfig): Promise<RunningService> {
  const { log, pool } = await openService(SERVICE, config, migrations);

  const messaging = serviceMessaging(SERVICE, config, pool, log);
  const saga = sagaUseCases(log);
  registerStockReservedConsumer(messaging, saga);
  registerStockRejectedConsumer(messaging, saga);
  registerPaymentProcessedConsumer(messaging, saga);
  registerPaymentDeclinedConsumer(messaging, saga);
  registerEmailSentConsumer(messaging, saga);
  // In memory: a restart starts with every fault off.
  const faults = orderFaults();
  messaging.relay.beforePublish(crashBeforePublish(faults, log));
  await messaging.start(); // the consumers, and the outbox relay that publishes what checkout and the saga wrote

  const checkout = {
    pool,
    cart: cartClient({
      baseUrl: config.CART_SERVICE_URL,
      timeoutMs: config.CART_TIMEOUT_MS,
      auth: internalAuth(SERVICE, config.INTERNAL_SECRET),
      hopDelayMs: () => messaging.faults.hop_delay_ms,
    }),
    log,
    // Publish at once instead of at the next poll: the relay is in this process.
    onCommitted: () => messaging.relay.kick(),
    patterns: messaging.patterns.values,
    publishAfterCommit: messaging.relay.publishAfterCommit.bind(messaging.relay),
  };
  const app = createApp({ log, internalSecret: config.INTERNAL_SECRET, pool, messaging, checkout, faults });
  return serve(app, { service: SERVICE, port: config.ORDER_PORT, config, log, pool, messaging });
}
