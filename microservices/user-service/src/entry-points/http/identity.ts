import { errors } from '@checkout-lab/kit';
import type { Request } from 'express';

/**
 * Who is calling, as the gateway says it: the gateway verified the JWT once and forwards x-user-id, x-user-email and
 * x-user-admin (it strips any a client sent). Services sit behind it and trust these headers, never a token.
 */
export interface Identity {
  userId: number;
  email: string;
  isAdmin: boolean;
}

export function readIdentity(req: Request): Identity | null {
  const id = Number(req.header('x-user-id'));
  if (!Number.isInteger(id) || id <= 0) return null;
  return { userId: id, email: req.header('x-user-email') ?? '', isAdmin: req.header('x-user-admin') === 'true' };
}

export function requireUser(req: Request): Identity {
  const identity = readIdentity(req);
  if (!identity) throw errors.unauthorized();
  return identity;
}
