import { LoginSchema, RegisterSchema } from '@checkout-lab/contract';
import { parseId, parseInput, route } from '@checkout-lab/kit';
import { identityOf, jsonRoute, requireUser } from '@checkout-lab/shared';
import { Router } from 'express';
import type { UserUseCases } from '../../domain/users.use-case';

/** The contract's /api/auth endpoints. Thin: validate, call the use case, answer. */
export function authRoutes(users: UserUseCases): Router {
  const router = Router();

  router.post(
    '/api/auth/register',
    route(async (req, res) => {
      const input = parseInput(RegisterSchema, req.body);
      res.status(201).json(await users.register(input));
    }),
  );

  router.post(
    '/api/auth/login',
    route(async (req, res) => {
      const input = parseInput(LoginSchema, req.body);
      res.json(await users.login(input, req.ip));
    }),
  );

  router.get(
    '/api/auth/me',
    requireUser,
    route(async (req, res) => {
      res.json(await users.me(identityOf(req).userId));
    }),
  );

  return router;
}

/**
 * /internal/*: GET /internal/users/:id is how the gateway learns who is behind a verified token, on every request:
 * 200 the user (is_admin from this record, never from the token), 404 USER_NOT_FOUND for a deleted or invented one.
 * createServiceApp answers 401 to a caller without an internal token before this router is reached.
 */
export function internalRoutes(users: UserUseCases): Router {
  const router = Router();
  router.get(
    '/internal/users/:id',
    jsonRoute((req) => users.byId(parseId(req.params.id))),
  );
  return router;
}
