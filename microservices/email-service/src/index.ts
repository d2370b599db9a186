import { runService } from '@checkout-lab/shared';
import { loadConfig } from './config';
import { startEmailService } from './server';

/** The process entry: read the environment, start, stop cleanly on SIGTERM or SIGINT. */
runService('email-service', () => startEmailService(loadConfig()));
