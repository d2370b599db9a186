import { route } from '@checkout-lab/kit';
import { identityOf, type Pool, requireUser } from '@checkout-lab/shared';
import { Router } from 'express';
import { notificationRepository } from '../../data-access/notification.repository';

export function notificationsRoutes(deps: { pool: Pool }): Router {
  const router = Router();
  router.get(
    '/api/notifications',
    requireUser,
    route(async (req, res) => {
      res.json(await notificationRepository.listByUser(deps.pool, identityOf(req).userId));
    }),
  );
  return router;
}
