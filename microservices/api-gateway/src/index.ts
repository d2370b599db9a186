import { runService } from '@checkout-lab/shared';
import { loadConfig } from './config';
import { startGateway } from './server';

/** The process entry: read the environment, start, stop cleanly on SIGTERM or SIGINT. */
runService('api-gateway', () => startGateway(loadConfig()));
