import { Router } from 'express';
import type { ServiceClient, ServiceName } from '../../data-access/service.client';
import type { UserCacheState } from '../../data-access/user.directory';

/**
 * GET /health: the gateway's own, plus every service's; 503 when one is down, so a load balancer can tell. It also
 * says whether the gateway serves users from its cache (user_cache); "not connected" costs a lookup, never a wrong answer.
 */
export function healthRoutes(services: ServiceClient, timeoutMs: number, userCache: () => UserCacheState): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const names = Object.keys(services.urls) as ServiceName[];
    const reports = await Promise.all(
      names.map(async (name) => [name, await services.health(name, timeoutMs)] as const),
    );
    const allUp = reports.every(([, report]) => report.status === 'ok');
    res.status(allUp ? 200 : 503).json({
      status: allUp ? 'ok' : 'degraded',
      service: 'api-gateway',
      services: Object.fromEntries(reports),
      user_cache: userCache(),
    });
  });
  return router;
}
