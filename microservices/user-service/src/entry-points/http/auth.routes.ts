import { parseInput, route } from '@checkout-lab/kit';
import { Router } from 'express';
import { loginSchema, registerSchema, type UserUseCases } from '../../domain/users.use-case';
import { requireUser } from './identity';

/** The contract's /api/auth endpoints. Thin: validate, call the use case, answer. */
export function authRoutes(users: UserUseCases): Router {
  const router = Router();

  router.post(
    '/api/auth/register',
    route(async (req, res) => {
      const input = parseInput(registerSchema, req.body);
      res.status(201).json(await users.register(input));
    }),
  );

  router.post(
    '/api/auth/login',
    route(async (req, res) => {
      const input = parseInput(loginSchema, req.body);
      res.json(await users.login(input));
    }),
  );

  router.get(
    '/api/auth/me',
    route(async (req, res) => {
      const { userId } = requireUser(req);
      res.json(await users.me(userId));
    }),
  );

  return router;
}
