import { route } from '@checkout-lab/kit';
import { Router } from 'express';
import type { MonolithDeps } from '../../../shared/deps';
import { currentUser, requireUser } from '../../users';
import { notificationRepository } from '../data-access/notification.repository';

export function notificationsRoutes(deps: MonolithDeps): Router {
  const router = Router();
  router.get(
    '/notifications',
    requireUser(deps),
    route(async (_req, res) => {
      res.json(await notificationRepository(deps.db).listForUser(currentUser(res).id));
    }),
  );
  return router;
}
