import { runService } from '@checkout-lab/shared';
import { loadConfig } from './config';
import { startOrderService } from './server';

/** The process entry: read the environment, start, stop cleanly on SIGTERM or SIGINT. */
runService('order-service', () => startOrderService(loadConfig()));
