import { loadConfig } from './config';
import { startGateway } from './server';

/** The process entry: read the environment, start, stop cleanly on SIGTERM or SIGINT. */
const service = await startGateway(loadConfig());
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    service.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
