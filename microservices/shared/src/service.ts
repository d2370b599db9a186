import { createLogger, type Logger } from '@checkout-lab/kit';
import { connectDatabase, type Migration, migrate, type Pool } from './db';
import { Messaging } from './messaging/index';

/** The keys of a service's config that every service shares (each service's config.ts defines them with `env`). */
export interface ServiceBaseConfig {
  LOG_LEVEL: string;
  DATABASE_URL: string;
  DB_NAME: string;
  DB_POOL_SIZE: number;
}

export interface MessagingConfig {
  AMQP_URL: string;
  RABBIT_PREFIX: string;
  OUTBOX_POLL_MS?: number;
}

/** What every service does first: its logger, then its own database, created when missing and migrated. */
export async function openService(
  service: string,
  config: ServiceBaseConfig,
  migrations: Migration[],
): Promise<{ log: Logger; pool: Pool }> {
  const log = createLogger(service, config.LOG_LEVEL);
  const { pool } = await connectDatabase({
    serverUrl: config.DATABASE_URL,
    dbName: config.DB_NAME,
    poolSize: config.DB_POOL_SIZE,
  });
  await migrate(pool, migrations);
  return { log, pool };
}

/** The service's messaging adapter (outbox relay and consumers on its own pool); register consumers, then start(). */
export function serviceMessaging(service: string, config: MessagingConfig, pool: Pool, log: Logger): Messaging {
  return new Messaging({
    amqpUrl: config.AMQP_URL,
    rabbitPrefix: config.RABBIT_PREFIX,
    service,
    pool,
    log,
    outboxPollMs: config.OUTBOX_POLL_MS,
  });
}
