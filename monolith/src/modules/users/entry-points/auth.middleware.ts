import { errors } from '@checkout-lab/kit';
import type { RequestHandler, Response } from 'express';
import type { MonolithDeps } from '../../../shared/deps';
import { authenticate } from '../domain/auth.use-case';
import type { UserRow } from '../data-access/user.entity';

/** The signed-in user, set by requireUser. */
export function currentUser(res: Response): UserRow {
  return res.locals.user as UserRow;
}

// LESSON: The gateway (LESSONS.md#the-gateway). The monolith checks every token itself, in this one middleware.
export function requireUser(deps: MonolithDeps): RequestHandler {
  return async (req, res, next) => {
    try {
      res.locals.user = await authenticate(deps.db, deps.jwt, req.headers.authorization);
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** Admin routes: 401 without a valid token, 403 for a buyer. The flag is read from the database, not the token. */
export function requireAdmin(deps: MonolithDeps): RequestHandler {
  const user = requireUser(deps);
  return (req, res, next) =>
    user(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (!currentUser(res).is_admin) return next(errors.forbidden('This needs the lab admin account'));
      next();
    });
}
