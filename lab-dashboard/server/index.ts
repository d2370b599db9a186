import { createLogger, stopOnSignals } from '@checkout-lab/kit';
import { loadConfig } from './config';
import { startDashboard } from './server';

/** The process entry the launcher runs (`tsx lab-dashboard/server/index.ts`): reads the environment, listens, stops on signals. */
const log = createLogger('lab-dashboard');
const startedAt = performance.now();
try {
  const config = loadConfig(process.env);
  const dashboard = await startDashboard(config);
  log.info({ url: dashboard.url, ready_ms: Math.round(performance.now() - startedAt) }, 'lab dashboard ready');
  // A load run or a stream to a page in progress gets the grace period, then the process ends anyway.
  stopOnSignals(() => dashboard.stop(), { name: 'lab dashboard' });
} catch (error) {
  console.error(`lab dashboard: ${(error as Error).message}`);
  process.exit(1);
}
