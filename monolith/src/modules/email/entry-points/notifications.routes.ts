import { route } from '@checkout-lab/kit';
import { Router } from 'express';
import type { MonolithDeps } from '../../../shared/deps';
import { currentUser, requireUser } from '../../users/entry-points/auth.middleware';

export function notificationsRoutes(deps: MonolithDeps): Router {
  const router = Router();
  router.get(
    '/notifications',
    requireUser(deps),
    route(async (_req, res) => {
      const rows: { id: number; type: string; message: string; created_at: Date; read: boolean }[] =
        await deps.db.query(
          'SELECT id, type, message, created_at, read FROM notifications WHERE user_id = $1 ORDER BY id DESC',
          [currentUser(res).id],
        );
      res.json(rows.map((row) => ({ ...row, created_at: row.created_at.toISOString() })));
    }),
  );
  return router;
}
