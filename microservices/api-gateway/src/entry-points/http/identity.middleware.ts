import crypto from 'node:crypto';
import { AppError, errors, hmacKey } from '@checkout-lab/kit';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import jwt from 'jsonwebtoken';

export interface GatewayIdentity {
  userId: number;
  email: string;
  isAdmin: boolean;
}

const IDENTITY_HEADERS = ['x-user-id', 'x-user-email', 'x-user-admin'] as const;

/**
 * Every request: a correlation id (the client's x-request-id when it sent a sane one, else a new one) that goes to
 * every service and every event of this request and comes back on the response.
 */
export const correlationId: RequestHandler = (req, res, next) => {
  const incoming = req.header('x-request-id');
  const id = incoming && /^[\w.:-]{1,200}$/.test(incoming) ? incoming : crypto.randomUUID();
  req.headers['x-request-id'] = id;
  res.setHeader('x-request-id', id);
  next();
};

/** Verifies a bearer token; the reason is what the 401 says. */
export function verifyToken(header: string | undefined, secret: string): GatewayIdentity | { problem: string } {
  const match = /^Bearer (\S+)$/i.exec(header ?? '');
  if (!match) return { problem: 'Send Authorization: Bearer <token> (POST /api/auth/login gives one)' };
  try {
    const claims = jwt.verify(match[1], hmacKey(secret), { algorithms: ['HS256'] });
    if (typeof claims === 'string') return { problem: 'The token is not valid' };
    const userId = Number(claims.sub);
    if (!Number.isInteger(userId) || userId < 1 || userId > 2147483647) return { problem: 'The token is not valid' };
    return {
      userId,
      email: typeof claims.email === 'string' ? claims.email : '',
      isAdmin: claims.is_admin === true,
    };
  } catch (error) {
    return {
      problem:
        (error as Error).name === 'TokenExpiredError'
          ? 'The token has expired: log in again'
          : 'The token is not valid',
    };
  }
}

/** Routes anyone may call: sign up, sign in, and reading the catalogue. Everything else under /api needs a user. */
export function isPublic(method: string, path: string): boolean {
  if (method === 'POST' && (path === '/api/auth/register' || path === '/api/auth/login')) return true;
  const reading = method === 'GET' || method === 'HEAD';
  return reading && /^\/api\/(categories|products)(\/|$)/.test(path);
}

/**
 * LESSON: the gateway verifies the JWT once (LESSONS.md#the-gateway). Client-sent x-user-* headers are
 * dropped, whatever the route, so nobody can claim to be someone else; a verified token becomes x-user-id,
 * x-user-email and x-user-admin for the services behind, which never see or check a token. A public route with a
 * bad token is served anonymously; any other route answers 401 here and never reaches a service.
 */
export function identity(secret: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    for (const header of IDENTITY_HEADERS) delete req.headers[header];
    const result = req.headers.authorization ? verifyToken(req.headers.authorization, secret) : null;
    if (result && 'userId' in result) {
      req.headers['x-user-id'] = String(result.userId);
      req.headers['x-user-email'] = result.email;
      req.headers['x-user-admin'] = String(result.isAdmin);
      res.locals.identity = result;
      return next();
    }
    if (isPublic(req.method, req.baseUrl + req.path)) return next();
    next(errors.unauthorized(result?.problem ?? 'Send Authorization: Bearer <token> (POST /api/auth/login gives one)'));
  };
}

/** The lab endpoints are for the lab admin: checked here, at the door. */
export const requireAdmin: RequestHandler = (_req, res, next) => {
  const who = res.locals.identity as GatewayIdentity | undefined;
  if (!who) return next(errors.unauthorized());
  if (!who.isAdmin)
    return next(new AppError({ status: 403, code: 'FORBIDDEN', message: 'This needs the lab admin account' }));
  next();
};
