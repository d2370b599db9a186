import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerClientErrorsAsJson, createLogger, Mailbox } from '@checkout-lab/kit';
import express from 'express';
import { createApp, finishApp } from './app';
import { FaultScheduler } from './fault-scheduler';
import { type DashboardConfig, loadConfig } from './config';
import { PostgresActivity } from './internals/postgres-activity';
import { queueNames, RabbitQueues } from './internals/rabbit-queues';
import { benchmarkEngine } from './runs/benchmark-engine';
import { type LoadEngine, RunManager } from './runs/run-manager';
import { RunsRepository } from './runs/runs.repository';
import { StackClient } from './stack-client';

const dashboardRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distDir = path.join(dashboardRoot, 'dist');

export interface DashboardOptions extends Partial<DashboardConfig> {
  /** 'vite': compile the page from src on the fly; 'dist': serve the build; 'auto' (default): dist when built. */
  page?: 'vite' | 'dist' | 'auto';
  /** The load engine; the benchmark engine by default. */
  engine?: () => Promise<LoadEngine>;
}

export interface RunningDashboard {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts the lab API and the page in this process. Options override the defaults of config.ts (the environment is
 * read only by index.ts), so tests pass port 0 and their own stacks, database and broker names.
 */
export async function startDashboard(options: DashboardOptions = {}): Promise<RunningDashboard> {
  const { page = 'auto', engine, ...overrides } = options;
  const config: DashboardConfig = { ...loadConfig({}), port: 0, ...overrides };
  const log = createLogger('lab-dashboard');
  const stacks = {
    monolith: new StackClient('monolith', config.monolithUrl, config.admin),
    micro: new StackClient('micro', config.gatewayUrl, config.admin),
  };
  const runs = await RunsRepository.open(config.databaseUrl, config.dbName);
  const postgres = new PostgresActivity(config.databaseUrl);
  const rabbit = new RabbitQueues(config.amqpUrl, () => queueNames(config.rabbitPrefix));
  const manager = new RunManager(runs, stacks, engine ?? (() => benchmarkEngine(config)));
  const scheduler = new FaultScheduler({
    faults: (stack) => stacks[stack].faults(),
    setFaults: (stack, changes) => stacks[stack].putFaults(changes),
  });
  const app = createApp({
    config,
    stacks,
    runs,
    manager,
    postgres,
    rabbit,
    mailbox: new Mailbox(config.mailUiUrl),
    scheduler,
  });
  // What Node refuses before Express (a malformed request line, 431) answers in the contract's JSON error shape too.
  const server = answerClientErrorsAsJson(http.createServer(app));

  const useDist =
    page === 'dist' ||
    (page === 'auto' && (config.mode === 'production' || fs.existsSync(path.join(distDir, 'index.html'))));
  let closeVite: () => Promise<void> = async () => {};
  if (useDist) {
    if (!fs.existsSync(path.join(distDir, 'index.html'))) {
      throw new Error('lab-dashboard/dist is missing: run `npm run build -w @checkout-lab/dashboard` first');
    }
    app.use(express.static(distDir, { index: 'index.html', maxAge: '1h' }));
    app.get('/{*path}', (_req, res) => res.sendFile(path.join(distDir, 'index.html')));
  } else {
    const { createServer } = await import('vite');
    const vite = await createServer({
      configFile: path.join(dashboardRoot, 'vite.config.ts'),
      server: { middlewareMode: true, hmr: { server } },
      appType: 'spa',
    });
    app.use(vite.middlewares);
    closeVite = () => vite.close();
  }
  finishApp(app, (error) => log.error({ err: error }, 'request failed'));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // A wildcard address (0.0.0.0, ::) is reached from this machine at loopback.
  const reachable = ['0.0.0.0', '::', '[::]'].includes(config.host) ? '127.0.0.1' : config.host;
  const url = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
  log.info({ url, page: useDist ? 'dist' : 'vite' }, 'lab dashboard listening');

  return {
    url,
    port,
    stop: async () => {
      manager.cancel(manager.current?.run_id ?? -1);
      // The faults the scheduler switched on do not outlive the lab API that set them.
      await scheduler.stop();
      await manager.settled();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeVite();
      await Promise.allSettled([runs.close(), postgres.close(), rabbit.close()]);
    },
  };
}
