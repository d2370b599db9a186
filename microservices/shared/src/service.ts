import type { AddressInfo } from 'node:net';
import { setTimeout } from 'node:timers/promises';
import { createLogger, type Logger } from '@checkout-lab/kit';
import type { Express } from 'express';
import { connectDatabase, databaseIsUp, type Migration, migrate, type Pool } from './db';
import type { HealthReport } from './http';
import { Messaging } from './messaging/index';
import { closeServer, listen } from './process';

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

/** What every service's createApp gets besides its own use cases: for its logs, its /health and the internal token. */
export interface ServiceDeps {
  log: Logger;
  /** INTERNAL_SECRET: the gateway's and the other services' calls prove themselves with it. */
  internalSecret: string;
  /** Its own database, which /health checks. */
  pool: Pool;
  /** Its broker adapter, which /health checks; null for a service with no consumers (user-service). */
  messaging: Messaging | null;
}

/**
 * The one /health of every service: its database, its broker when it has one, and anything more it depends on
 * (email-service's SMTP), each reporting a status. "ok" only when every one of them is. How the broker's state is
 * worded is the service's own (cart- and product-service say ok/down, the saga's services connected/disconnected).
 */
export function serviceHealth(
  deps: Pick<ServiceDeps, 'pool' | 'messaging'>,
  options: {
    brokerWords?: readonly [up: string, down: string];
    more?: Record<string, () => { status: string }>;
  } = {},
): () => Promise<HealthReport> {
  const [up, down] = options.brokerWords ?? ['ok', 'down'];
  return async () => {
    const database = await databaseIsUp(deps.pool);
    const report: Record<string, unknown> = { database: database ? 'ok' : 'down' };
    let healthy = database;
    if (deps.messaging) {
      healthy &&= deps.messaging.connected;
      report.broker = deps.messaging.connected ? up : down;
    }
    for (const [name, check] of Object.entries(options.more ?? {})) {
      const state = check();
      healthy &&= state.status === 'ok';
      report[name] = state;
    }
    return { status: healthy ? 'ok' : 'degraded', ...report };
  };
}

/** A started service, in a process of its own or inside a test. */
export interface RunningService {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** How long requests in flight at stop() may still finish before their connections are cut. */
const HTTP_DRAIN_MS = 500;

/**
 * The last step of every start<Name>Service: listen on port (0: a free one) at config.BIND_HOST and hand back the
 * running service. stop() undoes the start in reverse: HTTP first (no new requests; those in flight get
 * HTTP_DRAIN_MS, then they are cut), then the consumers and the outbox relay (no new deliveries; those in flight
 * finish), then the database, so nothing is closed under work that still needs it.
 */
export async function serve(
  app: Express,
  options: {
    service: string;
    port: number;
    config: { BIND_HOST: string; DB_NAME?: string };
    log: Logger;
    pool?: Pool;
    messaging?: Messaging | null;
    /** More to say with "listening" in the log: the peers it calls. */
    details?: Record<string, unknown>;
    /** Keep-alive of idle client connections, when a service needs it longer than Node's 5 s. */
    keepAliveTimeoutMs?: number;
    /**
     * The service's own stop, run once HTTP is closed, while the consumers stop (their end is `consumersStopped`):
     * a timer to clear, sends in flight to cut short.
     */
    onStop?: (consumersStopped: Promise<void>) => Promise<void> | void;
  },
): Promise<RunningService> {
  const { service, log, pool, messaging } = options;
  const server = await listen(app, options.port, options.config.BIND_HOST);
  if (options.keepAliveTimeoutMs) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  const port = (server.address() as AddressInfo).port;
  log.info({ port, database: options.config.DB_NAME, ...options.details }, `${service} listening`);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      log.info(`${service} stopping: no new requests or deliveries; those in flight get a moment`);
      const closed = closeServer(server);
      await Promise.race([closed, setTimeout(HTTP_DRAIN_MS)]);
      server.closeAllConnections();
      await closed;
      const consumersStopped = messaging ? messaging.stop() : Promise.resolve();
      await options.onStop?.(consumersStopped);
      await consumersStopped;
      await pool?.end();
      log.info(`${service} stopped`);
    },
  };
}
