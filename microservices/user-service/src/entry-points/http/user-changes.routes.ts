import { AppError } from '@checkout-lab/kit';
import { USER_CHANGES_PATH } from '@checkout-lab/shared';
import { Router } from 'express';
import type { UserChangesListener } from '../../data-access/user-changes.listener';

/** A comment line now and then, so that a proxy or a half-open connection does not keep a dead stream looking alive. */
const HEARTBEAT_MS = 15_000;

// PERF: what lets the gateway keep the users it looked up (microservices/api-gateway/src/data-access/user-changes.feed.ts).
/**
 * GET /internal/users/changes: a Server-Sent Events stream of the users that change, for the gateway. First
 * `event: ready` (the listener is on: every change committed from now on follows), then `data: {"id": N}` for each
 * user updated or deleted, or `data: {"all": true}` when the table was emptied. The stream ends when user-service
 * loses its listener or stops: a subscriber must then forget what it learnt. 503 while it has no listener.
 * Behind /internal: createServiceApp answers 401 to a caller without an internal token before this is reached.
 */
export function userChangesRoutes(listener: UserChangesListener): Router {
  const router = Router();
  router.get(USER_CHANGES_PATH, (req, res, next) => {
    if (!listener.live) {
      return next(
        new AppError({
          status: 503,
          code: 'SERVICE_UNAVAILABLE',
          message: 'user-service is not listening for changes yet',
        }),
      );
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write('event: ready\ndata: {}\n\n');
    const heartbeat = setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS);
    const unsubscribe = listener.subscribe({
      change: (change) => res.write(`data: ${JSON.stringify(change)}\n\n`),
      lost: () => res.end(),
    });
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
  return router;
}
