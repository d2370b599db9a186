import crypto from 'node:crypto';
import { AppError, errors, hmacKey, tokenScope } from '@checkout-lab/kit';
import { INTERNAL_TOKEN_HEADER, type InternalAuth } from '@checkout-lab/shared';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import jwt from 'jsonwebtoken';
import type { UserLookup } from '../../data-access/user.directory';

export interface GatewayIdentity {
  userId: number;
  email: string;
  isAdmin: boolean;
}

/** Headers a client must never get through to a service: only the gateway's own internal token says who calls. */
const CLIENT_HEADERS_DROPPED = ['x-user-id', 'x-user-email', 'x-user-admin', INTERNAL_TOKEN_HEADER] as const;

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

/**
 * Verifies a bearer token: signature, expiry, and that this stack issued it for itself (iss and aud
 * "checkout-lab/microservices": a monolith token is refused). The reason is what the 401 says. Its email and is_admin
 * are what the token claims; identity() replaces them with the user's record.
 */
export function verifyToken(header: string | undefined, secret: string): GatewayIdentity | { problem: string } {
  const match = /^Bearer (\S+)$/i.exec(header ?? '');
  if (!match) return { problem: 'Send Authorization: Bearer <token> (POST /api/auth/login gives one)' };
  try {
    const claims = jwt.verify(match[1], hmacKey(secret), { algorithms: ['HS256'], ...tokenScope('microservices') });
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

// LESSON: The gateway (LESSONS.md#the-gateway)
// LESSON: The gateway is not a wall (LESSONS.md#the-gateway-is-not-a-wall)
/**
 * The gateway verifies the JWT once, then asks user-service who is behind it, and
 * proves to the services that the call comes through here.
 * A valid token is not enough: its user may have been deleted since, and its is_admin is only a claim. So the gateway
 * reads the user's record (GET /internal/users/:id, or the copy it keeps while user-service tells it of every change:
 * cachedUserDirectory) for every request: a deleted or invented user is 401, admin rights are the record's. The
 * services get an internal token signed with INTERNAL_SECRET naming that user, never bare x-user-* headers (a
 * client's are dropped, and the services would ignore them anyway). A public route is served anonymously, whatever
 * token it carries; any other route without a valid token and a real user answers 401 here and never reaches a
 * service.
 */
export function identity(options: { secret: string; users: UserLookup; auth: InternalAuth }): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    for (const header of CLIENT_HEADERS_DROPPED) delete req.headers[header];
    const anonymous = () => {
      req.headers[INTERNAL_TOKEN_HEADER] = options.auth.sign();
      next();
    };
    // PERF: the public routes (sign up, sign in, the catalogue) use no identity, so they are served anonymously
    // without verifying the token or asking user-service: a browsing buyer costs no extra hop.
    if (isPublic(req.method, req.baseUrl + req.path)) return anonymous();
    const result = req.headers.authorization ? verifyToken(req.headers.authorization, options.secret) : null;
    if (!result || !('userId' in result)) {
      return next(
        errors.unauthorized(result?.problem ?? 'Send Authorization: Bearer <token> (POST /api/auth/login gives one)'),
      );
    }
    options.users.find(result.userId, String(req.headers['x-request-id'])).then(
      (user) => {
        if (!user) return next(errors.unauthorized('The token names a user that does not exist'));
        const who: GatewayIdentity = { userId: user.id, email: user.email, isAdmin: user.is_admin };
        res.locals.identity = who;
        req.headers[INTERNAL_TOKEN_HEADER] = options.auth.sign(who);
        next();
      },
      (error: unknown) => next(error),
    );
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
