import { createLogger } from '@checkout-lab/kit';
import { type RunningService, serve } from '@checkout-lab/shared';
import { createApp, gatewayAuth } from './app';
import type { GatewayConfig } from './config';
import { cachedUserDirectory, userDirectory } from './data-access/user.directory';
import { followUserChanges } from './data-access/user-changes.feed';

export type RunningGateway = RunningService;

/**
 * HTTP on GATEWAY_PORT (0: a free port), and nothing else: the gateway keeps no state, so it needs no database, and
 * it consumes no event. Index.ts runs it as a process; tests start it in theirs.
 */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const log = createLogger('api-gateway', config.LOG_LEVEL);
  const auth = gatewayAuth(config);
  const directory = userDirectory({ baseUrl: config.USER_SERVICE_URL, timeoutMs: config.USER_LOOKUP_TIMEOUT_MS, auth });
  // PERF: USER_CACHE=on keeps the users looked up while user-service's change feed is connected (user.directory.ts).
  const cached = config.USER_CACHE === 'on' ? cachedUserDirectory(directory) : null;
  const feed = cached
    ? followUserChanges({ baseUrl: config.USER_SERVICE_URL, auth, log, handler: cached.feed })
    : { close() {} };
  const users = cached ?? directory;
  const running = await serve(createApp({ config, log, auth, users }), {
    service: 'api-gateway',
    port: config.GATEWAY_PORT,
    config,
    log,
    details: { user_cache: config.USER_CACHE },
    // Keep-alive longer than a typical client's, so a benchmark's pooled connection is not cut under it.
    keepAliveTimeoutMs: 65_000,
  });
  return {
    ...running,
    async stop() {
      feed.close();
      await running.stop();
      directory.close();
    },
  };
}
