import { createLogger } from '@checkout-lab/kit';
import { type RunningService, serve } from '@checkout-lab/shared';
import { createApp } from './app';
import type { GatewayConfig } from './config';

export type RunningGateway = RunningService;

/**
 * HTTP on GATEWAY_PORT (0: a free port), and nothing else: the gateway keeps no state, so it needs no database, and
 * it consumes no event. Index.ts runs it as a process; tests start it in theirs.
 */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const log = createLogger('api-gateway', config.LOG_LEVEL);
  return serve(createApp({ config, log }), {
    service: 'api-gateway',
    port: config.GATEWAY_PORT,
    config,
    log,
    // Keep-alive longer than a typical client's, so a benchmark's pooled connection is not cut under it.
    keepAliveTimeoutMs: 65_000,
  });
}
