import { runService } from '@checkout-lab/shared';
import { loadConfig } from './config';
import { startCartService } from './server';

/** The process entry: read the environment, start, stop cleanly on SIGTERM or SIGINT. */
runService('cart-service', () => startCartService(loadConfig()));
