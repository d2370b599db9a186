import { closeServer, listen } from '@checkout-lab/shared';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@checkout-lab/kit';
import { createApp } from './app';
import type { GatewayConfig } from './config';

export interface RunningGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Listens on GATEWAY_PORT (0: a free port). The gateway keeps no state, so it needs no database. */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const log = createLogger('api-gateway', config.LOG_LEVEL);
  const server = await listen(createApp({ config, log }), config.GATEWAY_PORT, config.BIND_HOST);
  // Keep-alive longer than a typical client's, so a benchmark's pooled connection is not cut under it.
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  log.info({ port }, 'api-gateway listening');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: async () => {
      server.closeAllConnections();
      await closeServer(server);
    },
  };
}
