import { newPasswordSchema, parseInput, route } from '@checkout-lab/kit';
import { Router } from 'express';
import { z } from 'zod';
import type { MonolithDeps } from '../../../shared/deps';
import { logIn, registerUser } from '../domain/auth.use-case';
import { toPublicUser } from '../data-access/user.repository';
import { currentUser, requireUser } from './auth.middleware';

const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(255)
  .pipe(z.email({ message: 'must be an email address' }));

const registerSchema = z.object({
  email,
  password: newPasswordSchema,
  full_name: z.string().trim().min(1).max(255),
});

const loginSchema = z.object({ email, password: z.string().min(1).max(128) });

export function authRoutes(deps: MonolithDeps): Router {
  const router = Router();
  router.post(
    '/auth/register',
    route(async (req, res) => {
      const input = parseInput(registerSchema, req.body);
      res.status(201).json(await registerUser(deps.db, input, deps.bcryptRounds));
    }),
  );
  router.post(
    '/auth/login',
    route(async (req, res) => {
      const input = parseInput(loginSchema, req.body);
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
