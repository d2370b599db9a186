import { closeServer, listen, runService, type Stoppable, openService, serviceMessaging } from '@checkout-lab/shared';
import { createApp } from './app';
import { readConfig } from './config';
import { migrations } from './data-access/migrations';
import { sagaUseCases } from './domain/saga.use-case';
import { registerSagaConsumers } from './entry-points/messaging/saga.consumer';

const SERVICE = 'order-service';

async function main(): Promise<Stoppable> {
  const config = readConfig();
  const { log, pool } = await openService(SERVICE, config, migrations);
  const messaging = serviceMessaging(SERVICE, config, pool, log);
  registerSagaConsumers(messaging, sagaUseCases(log));
  await messaging.start();

  const app = createApp({ config, pool, messaging, log });
  const server = await listen(app, config.ORDER_PORT, config.BIND_HOST);
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
