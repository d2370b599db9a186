import { runService } from '@checkout-lab/shared';
import { loadConfig } from './config';
import { startPaymentService } from './server';

/** The process entry: read the environment, start, stop cleanly on SIGTERM or SIGINT. */
runService('payment-service', () => startPaymentService(loadConfig()));
