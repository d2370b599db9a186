import type { AddressInfo } from 'node:net';
import { createLogger, listenJson } from '@checkout-lab/kit';
import type { Response } from 'express';
import pg from 'pg';
import { createApp } from './app';
import { ledger } from './ledger';

export interface StartProviderOptions {
  /** URL of the provider's own ledger database (it must exist; the table is created here). */
  databaseUrl: string;
  /** Listen port; 0 (the default) picks a free one. */
  port?: number;
  host?: string;
  logLevel?: string;
  /** Decides declines (0..1); defaults to Math.random. */
  random?: () => number;
}

export interface RunningProvider {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * The simulated card provider outside both shops: its ledger opened, then HTTP. index.ts runs it as a process (the
 * launcher, the compose files); the tests' global setup starts one in its own process for the whole run.
 */
export async function startPaymentProvider(options: StartProviderOptions): Promise<RunningProvider> {
  const log = createLogger('payment-provider', options.logLevel);
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
  pool.on('error', (error) => log.warn({ err: error }, 'idle ledger connection lost'));
  try {
    await ledger.open(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const hung = new Set<Response>();
  const app = createApp({ pool, log, random: options.random ?? Math.random, hung });
  const server = await listenJson(app, options.port ?? 0, options.host ?? '127.0.0.1');
  const port = (server.address() as AddressInfo).port;
  log.info({ port }, 'payment-provider listening');
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () => {
      stopped ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Answers held by payment_hang never end by themselves; charges being decided get a moment.
        for (const res of hung) res.destroy();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
        await closed;
        await pool.end();
      })();
      return stopped;
    },
  };
}
