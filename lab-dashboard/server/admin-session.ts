import crypto from 'node:crypto';
import { AppError, parseInput, route } from '@checkout-lab/kit';
import { type Request, type RequestHandler, type Response, Router } from 'express';
import { z } from 'zod';

/** The session cookie: HttpOnly (no script of any page reads it), SameSite=Strict (no other site's request sends it). */
export const SESSION_COOKIE = 'lab_session';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/**
 * Reading is open to anyone who reaches the lab API, except what shows buyers' data: dead letters' events carry emails,
 * orders their buyers and addresses.
 */
const READS_NEEDING_LOGIN = [/^\/lab\/dead-letters(\/|$)/, /^\/lab\/orders\//];

const loginSchema = z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(200) }).strict();

/** Equal without telling by its timing how much of the guess was right. */
function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => crypto.createHash('sha256').update(value).digest();
  return crypto.timingSafeEqual(digest(a), digest(b));
}

/**
 * The lab admin's sessions, in memory: a restart of the lab API logs everyone out, which is what a lab wants. The
 * admin is the one the launcher passes as LAB_ADMIN_EMAIL / LAB_ADMIN_PASSWORD, the account both stacks seed.
 */
export class AdminSessions {
  private readonly sessions = new Map<string, { email: string; expires: number }>();

  constructor(private readonly admin: { email: string; password: string }) {}

  /** A new session's token, or null when the email and password are not the lab admin's. */
  login(email: string, password: string): string | null {
    const emailOk = sameSecret(email.trim().toLowerCase(), this.admin.email.toLowerCase());
    const passwordOk = sameSecret(password, this.admin.password);
    if (!(emailOk && passwordOk)) return null;
    const token = crypto.randomBytes(32).toString('base64url');
    this.sessions.set(token, { email: this.admin.email, expires: Date.now() + SESSION_TTL_MS });
    return token;
  }

  who(token: string | null): { email: string } | null {
    if (!token) return null;
    const session = this.sessions.get(token);
    if (!session) return null;
    if (session.expires < Date.now()) {
      this.sessions.delete(token);
      return null;
    }
    return { email: session.email };
  }

  logout(token: string | null): void {
    if (token) this.sessions.delete(token);
  }
}

function sessionToken(req: Request): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || null;
  }
  return null;
}

const refuse = (status: number, code: string, message: string) => new AppError({ status, code, message });

/**
 * Why three checks: without them a page on any site could reset both stacks with a form: a cross-site POST with a text/plain body needs no preflight, so CORS
 * never stops it from being sent. So a request that changes anything must (1) come from this page's own origin
 * (Origin and Sec-Fetch-Site, which a browser sets and a page cannot forge), (2) be JSON (a form cannot send
 * application/json, and a script on another site that tries needs a preflight this API never grants), and (3) carry the
 * admin's session, a SameSite=Strict cookie that no other site's request carries anyway.
 */
export function guardLabApi(sessions: AdminSessions): RequestHandler {
  return (req, res, next) => {
    const reading = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
    if (reading) {
      if (READS_NEEDING_LOGIN.some((pattern) => pattern.test(req.path)) && !sessions.who(sessionToken(req))) {
        return next(refuse(401, 'UNAUTHORIZED', 'Log in as the lab admin to read this'));
      }
      return next();
    }
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    const ownOrigin = `${req.protocol}://${req.headers.host}`;
    if (
      (origin !== undefined && origin !== ownOrigin) ||
      (site !== undefined && site !== 'same-origin' && site !== 'none')
    ) {
      return next(refuse(403, 'FOREIGN_ORIGIN', 'The lab API takes changes from its own page only'));
    }
    // By the header, not req.is(): a POST without a body (reset, cancel) still says it is JSON.
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') {
      return next(refuse(415, 'JSON_REQUIRED', 'Send changes as JSON: Content-Type: application/json'));
    }
    if (req.path === '/session') return next();
    res.locals.admin = sessions.who(sessionToken(req));
    if (!res.locals.admin) return next(refuse(401, 'UNAUTHORIZED', 'Log in as the lab admin to change the lab'));
    next();
  };
}

function setCookie(res: Response, token: string, maxAgeS: number): void {
  res.setHeader('set-cookie', `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeS}`);
}

/** POST /api/session logs in, GET tells who is logged in, DELETE logs out. Mounted after guardLabApi and the JSON parser. */
export function sessionRoutes(sessions: AdminSessions): Router {
  const router = Router();
  router.get('/api/session', (req, res) => {
    const who = sessions.who(sessionToken(req));
    res.json({ logged_in: !!who, email: who?.email ?? null });
  });
  router.post(
    '/api/session',
    route(async (req, res) => {
      const { email, password } = parseInput(loginSchema, req.body);
      const token = sessions.login(email, password);
      if (!token) throw refuse(401, 'INVALID_CREDENTIALS', "That is not the lab admin's email and password");
      setCookie(res, token, SESSION_TTL_MS / 1000);
      res.json({ logged_in: true, email: sessions.who(token)?.email ?? email });
    }),
  );
  router.delete('/api/session', (req, res) => {
    sessions.logout(sessionToken(req));
    setCookie(res, '', 0);
    res.json({ logged_in: false, email: null });
  });
  return router;
}
