import { LoginSchema, RegisterSchema } from '@checkout-lab/contract';
import { parseInput, route } from '@checkout-lab/kit';
import { Router } from 'express';
import type { MonolithDeps } from '../../../shared/deps';
import { logIn, registerUser } from '../domain/auth.use-case';
import { toPublicUser } from '../data-access/user.repository';
import { currentUser, requireUser } from './auth.middleware';

export function authRoutes(deps: MonolithDeps): Router {
  const router = Router();
  router.post(
    '/auth/register',
    route(async (req, res) => {
      const input = parseInput(RegisterSchema, req.body);
      res.status(201).json(await registerUser(deps.db, input, deps.bcryptRounds));
    }),
  );
  router.post(
    '/auth/login',
    route(async (req, res) => {
      const input = parseInput(LoginSchema, req.body);
      // req.ip is the connection's address: the monolith trusts no X-Forwarded-For a client could write itself.
      res.json(
        await logIn(deps.db, deps.jwt, input, { limiter: deps.loginLimiter, address: req.ip }, deps.bcryptRounds),
      );
    }),
  );
  router.get(
    '/auth/me',
    requireUser(deps),
    route((_req, res) => {
      res.json(toPublicUser(currentUser(res)));
    }),
  );
  return router;
}
