import type { Server } from 'node:http';
import { createLogger, LabSetupError } from '@checkout-lab/kit';
import { connectDatabase, Messaging, migrate } from '@checkout-lab/shared';
import { createApp } from './app';
import { readConfig } from './config';
import { migrations } from './data-access/migrations';
import { sagaUseCases } from './domain/saga.use-case';
import { registerSagaConsumers } from './entry-points/messaging/saga.consumer';

const SERVICE = 'order-service';

async function main(): Promise<void> {
  const config = readConfig();
  const log = createLogger(SERVICE, config.LOG_LEVEL);
  const { pool } = await connectDatabase({
    serverUrl: config.DATABASE_URL,
    dbName: config.DB_NAME,
    poolSize: config.DB_POOL_SIZE,
  });
  await migrate(pool, migrations);
  const messaging = new Messaging({
    amqpUrl: config.AMQP_URL,
    rabbitPrefix: config.RABBIT_PREFIX,
    service: SERVICE,
    pool,
    log,
    outboxPollMs: config.OUTBOX_POLL_MS,
  });
  registerSagaConsumers(messaging, sagaUseCases(log));
  await messaging.start();

  const app = createApp({ config, pool, messaging, log });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(config.ORDER_PORT, '0.0.0.0', () => resolve(listening));
  });
  log.info({ port: config.ORDER_PORT, db: config.DB_NAME }, 'order-service listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: no new requests, finishing in-flight work');
    await new Promise((resolve) => server.close(resolve));
    await messaging.stop();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(error instanceof LabSetupError ? error.message : `order-service failed to start: ${error}`);
  process.exit(1);
});
