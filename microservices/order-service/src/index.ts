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
import { migrations } from './data-access/migrations';
import { sagaUseCases } from './domain/saga.use-case';
import { registerSagaConsumers } from './entry-points/messaging/saga.consumer';

const SERVICE = 'order-service';

async function main(): Promise<Stoppable> {
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
  const server = await listen(app, config.ORDER_PORT);
  log.info({ port: config.ORDER_PORT, db: config.DB_NAME }, 'order-service listening');

  return {
    async stop() {
      log.info('stopping: no new requests, finishing in-flight work');
      await closeServer(server);
      await messaging.stop();
      await pool.end();
    },
  };
}

runService(SERVICE, main);
