import crypto from 'node:crypto';
import {
  AppError,
  errorHandler,
  errors,
  hmacKey,
  type Logger,
  notFoundHandler,
  ownFaults,
  type Patterns,
  parseInput,
  route,
} from '@checkout-lab/kit';
import express, {
  type Express as ExpressApp,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  Router,
} from 'express';
import jwt from 'jsonwebtoken';
import type { z } from 'zod';
import { rememberingTokens } from './internal-token-cache';
import type { ResilientConnection } from './messaging/connection';
import type { DeliveryCounts, DeliveryFaults } from './messaging/messaging';

/** Who the buyer is, as the gateway found it: a verified token, then the user's record in user-service. */
export interface Identity {
  userId: number;
  email: string;
  isAdmin: boolean;
}

declare global {
  namespace Express {
    interface Request {
      requestId: string;
      identity?: Identity;
      /** The service that signed this request's internal token (api-gateway, order-service...); unset without one. */
      caller?: string;
      /** This service's signer, so forwardHeaders(req) can sign the next hop. */
      internalAuth?: InternalAuth;
    }
  }
}

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * The correlation id: taken from x-request-id (the gateway sets it) or generated, echoed on the response, and put on
 * every event this request causes, so one buyer's checkout can be followed through every service's log.
 */
export const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.header(REQUEST_ID_HEADER);
  req.requestId = incoming && incoming.length <= 200 ? incoming : crypto.randomUUID();
  res.setHeader(REQUEST_ID_HEADER, req.requestId);
  next();
};

export const INTERNAL_TOKEN_HEADER = 'x-internal-token';
export const INTERNAL_AUDIENCE = 'internal';
/** Long enough for a slow hop, short enough that a token copied out of a log is soon worthless. */
const INTERNAL_TOKEN_LIFETIME_S = 60;

/** What an internal token proves: which service signed it and, when it calls for a buyer, who that buyer is. */
export interface InternalCall {
  caller: string;
  identity: Identity | null;
}

/** Signs and verifies the tokens the gateway and the services put on every call between them. */
export interface InternalAuth {
  service: string;
  /** A fresh token naming this service and, when given, the buyer it calls for. */
  sign(identity?: Identity | null): string;
  /** The call a token proves, or null for a missing, forged, expired or malformed one. */
  verify(token: string | undefined): InternalCall | null;
  /** The header to send: { 'x-internal-token': sign(identity) }. */
  headers(identity?: Identity | null): Record<string, string>;
}

// LESSON: The gateway is not a wall (LESSONS.md#the-gateway-is-not-a-wall)
/**
 * A service's port can be reached without
 * passing the gateway (another process on the host, a container on the same network, a misconfigured firewall), so
 * a bare `x-user-id: 2` proves nothing. Every call between the gateway and the services carries a short-lived HS256
 * JWT signed with INTERNAL_SECRET (a secret the public never holds), audience "internal", issued by the calling
 * service, with the buyer it calls for; the receiving service believes only that.
 */
export function internalAuth(service: string, secret: string): InternalAuth {
  const key = hmacKey(secret);
  const signToken = (identity?: Identity | null): string =>
    jwt.sign(identity ? { sub: String(identity.userId), email: identity.email, is_admin: identity.isAdmin } : {}, key, {
      algorithm: 'HS256',
      expiresIn: INTERNAL_TOKEN_LIFETIME_S,
      issuer: service,
      audience: INTERNAL_AUDIENCE,
    });
  const verifyToken = (token: string | undefined): InternalCall | null => {
    if (!token) return null;
    let claims: string | jwt.JwtPayload;
    try {
      claims = jwt.verify(token, key, { algorithms: ['HS256'], audience: INTERNAL_AUDIENCE });
    } catch {
      return null;
    }
    if (typeof claims === 'string' || typeof claims.iss !== 'string' || !claims.iss) return null;
    if (claims.sub === undefined) return { caller: claims.iss, identity: null };
    const userId = Number(claims.sub);
    if (!Number.isInteger(userId) || userId < 1 || userId > 2147483647) return null;
    return {
      caller: claims.iss,
      identity: {
        userId,
        email: typeof claims.email === 'string' ? claims.email : '',
        isAdmin: claims.is_admin === true,
      },
    };
  };
  const { sign, verify } = rememberingTokens({ sign: signToken, verify: verifyToken }, INTERNAL_TOKEN_LIFETIME_S);
  return { service, sign, verify, headers: (identity) => ({ [INTERNAL_TOKEN_HEADER]: sign(identity) }) };
}

/**
 * Who is calling, from the internal token alone. x-user-* headers are ignored: a request without a valid token is
 * anonymous (a buyer's route then answers 401) and never reaches /internal/* (requireInternalCaller).
 */
export function readIdentity(auth: InternalAuth): RequestHandler {
  return (req, _res, next) => {
    req.internalAuth = auth;
    const call = auth.verify(req.header(INTERNAL_TOKEN_HEADER));
    if (call) {
      req.caller = call.caller;
      if (call.identity) req.identity = call.identity;
    }
    next();
  };
}

/** /internal/*: only the gateway and the other services, proved by a valid internal token; anyone else gets 401. */
export const requireInternalCaller: RequestHandler = (req, _res, next) => {
  if (!req.caller) return next(errors.unauthorized('Internal endpoints need a valid internal token'));
  next();
};

export const requireUser: RequestHandler = (req, _res, next) => {
  if (!req.identity) return next(errors.unauthorized());
  next();
};

export const requireAdmin: RequestHandler = (req, _res, next) => {
  if (!req.identity) return next(errors.unauthorized());
  if (!req.identity.isAdmin) return next(errors.forbidden('Only an admin may do this'));
  next();
};

/** The identity of a request that passed requireUser. */
export function identityOf(req: Request): Identity {
  if (!req.identity) throw errors.unauthorized();
  return req.identity;
}

/**
 * The headers a service sends when it calls another service for the same buyer: the correlation id and an internal
 * token it signs itself, naming the buyer (never bare x-user-* headers, which the next service would ignore).
 */
export function forwardHeaders(req: Request): Record<string, string> {
  const headers: Record<string, string> = { [REQUEST_ID_HEADER]: req.requestId };
  if (req.internalAuth) Object.assign(headers, req.internalAuth.headers(req.identity));
  return headers;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  [key: string]: unknown;
}

/**
 * The Express app every service starts from: JSON body, correlation id, identity (from the internal token), request
 * log, /health (open to anyone, for the orchestrator) and /internal/* closed to callers without an internal token.
 * Add routes, then call finishApp(app, log) so the 404 and the error handler come last.
 */
export function createServiceApp(options: {
  service: string;
  log: Logger;
  health: () => Promise<HealthReport>;
  /** INTERNAL_SECRET, shared by the gateway and every service. */
  internalSecret: string;
  /**
   * Its broker adapter, when it has one: the fault lab's broker_down acts on its connection, and it holds the delivery
   * faults (/internal/lab/delivery).
   */
  messaging?: {
    connection: ResilientConnection;
    faults: DeliveryFaults;
    counts: DeliveryCounts;
    patterns: LabValues<Patterns>;
  } | null;
}): ExpressApp {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '100kb' }));
  app.use(requestId);
  app.use(readIdentity(internalAuth(options.service, options.internalSecret)));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      if (req.path === '/health') return;
      options.log.debug(
        {
          correlation_id: req.requestId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    next();
  });
  app.get('/health', async (_req, res) => {
    const report = await options.health().catch(() => ({ status: 'degraded' as const }));
    res.status(report.status === 'ok' ? 200 : 503).json({ ...report, service: options.service });
  });
  app.use('/internal', requireInternalCaller);
  if (options.messaging) app.use(brokerFaultRoutes(options.messaging.connection));
  if (options.messaging) app.use(deliveryFaultRoutes(options.messaging));
  // The reliability patterns its messaging adapter runs: the gateway's /api/lab/patterns switches them here.
  if (options.messaging) app.use(patternRoutes(options.messaging.patterns));
  return app;
}

const brokerFault = ownFaults(['broker_down']).update;

/**
 * GET and PUT /internal/lab/broker `{broker_down}`: the fault lab's broker_down, on every service that has a broker
 * connection (the gateway sends it to each, and reads it back from each). It lives in the connection itself.
 */
function brokerFaultRoutes(connection: ResilientConnection): Router {
  const router = Router();
  const answer = () => ({ broker_down: connection.heldDown });
  router.get(
    '/internal/lab/broker',
    jsonRoute(() => answer()),
  );
  router.put(
    '/internal/lab/broker',
    jsonRoute(async (req) => {
      const { broker_down } = parseInput(brokerFault, req.body ?? {});
      if (broker_down !== undefined) await connection.holdDown(broker_down);
      return answer();
    }),
  );
  return router;
}

/** Values the lab changes at run time, in memory: GET answers them all, PUT changes those its body names. */
export interface LabValues<Values extends object> {
  values: Values;
  update: z.ZodType<Partial<Values>>;
}

/** GET and PUT of one set of LabValues at `path`. */
export function valuesRoutes<Values extends object>(
  router: Router,
  path: string,
  { values, update }: LabValues<Values>,
): void {
  router.get(
    path,
    jsonRoute(() => ({ ...values })),
  );
  router.put(
    path,
    jsonRoute((req) => {
      Object.assign(values, parseInput(update, req.body ?? {}));
      return { ...values };
    }),
  );
}

/** GET and PUT /internal/lab/patterns: the reliability patterns the service's messaging adapter runs. */
function patternRoutes(patterns: LabValues<Patterns>): Router {
  const router = Router();
  valuesRoutes(router, '/internal/lab/patterns', patterns);
  return router;
}

const deliveryFaultsUpdate = ownFaults(['hop_delay_ms', 'redelivery_rate']).update;

/**
 * GET and PUT /internal/lab/delivery: the fault lab's faults of calls and deliveries, on a service with a broker
 * adapter, which holds them (the gateway sends each to every such service and reads them back from each). GET
 * /internal/lab/deliveries: what redelivery_rate redelivered and the dedupe absorbed.
 */
function deliveryFaultRoutes(messaging: { faults: DeliveryFaults; counts: DeliveryCounts }): Router {
  const router = Router();
  valuesRoutes(router, '/internal/lab/delivery', { values: messaging.faults, update: deliveryFaultsUpdate });
  router.get(
    '/internal/lab/deliveries',
    jsonRoute(() => ({ ...messaging.counts })),
  );
  return router;
}

/** ?since=ISO on the lab's internal endpoints, validated: a bad date is a 422, not a silent "everything". */
export function parseSince(raw: unknown): Date | null {
  if (raw === undefined || raw === '') return null;
  const date = new Date(String(raw));
  if (typeof raw !== 'string' || Number.isNaN(date.getTime())) {
    throw errors.validation([{ field: 'since', message: 'must be an ISO-8601 date' }]);
  }
  return date;
}

/**
 * A route that answers 200 with the JSON of what answer(req) resolves to; a throw goes to the error handler.
 * `router.get('/api/categories', jsonRoute(() => catalog.listCategories()))`.
 */
export function jsonRoute(answer: (req: Request) => Promise<unknown> | unknown): RequestHandler {
  return route(async (req, res) => {
    res.json(await answer(req));
  });
}

export function finishApp(app: ExpressApp, log: Logger): ExpressApp {
  app.use(notFoundHandler);
  app.use(
    errorHandler((error, req) => log.error({ err: error, correlation_id: req.requestId, path: req.path }, 'failed')),
  );
  return app;
}

export { AppError };
