import crypto from 'node:crypto';
import { AppError, errorHandler, errors, type Logger, notFoundHandler } from '@checkout-lab/kit';
import express, {
  type Express as ExpressApp,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';

/** Who the caller is, as the gateway forwards it after verifying the JWT. */
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

/**
 * Reads the identity headers. Services trust them because only the gateway is reachable from outside
 * (LESSONS.md#the-gateway: it verifies the JWT once); a missing or malformed header means anonymous.
 */
export const readIdentity: RequestHandler = (req, _res, next) => {
  const id = Number(req.header('x-user-id'));
  if (Number.isInteger(id) && id > 0) {
    req.identity = {
      userId: id,
      email: req.header('x-user-email') ?? '',
      isAdmin: req.header('x-user-admin') === 'true',
    };
  }
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

/** The headers a service forwards when it calls another service for the same buyer. */
export function forwardHeaders(req: Request): Record<string, string> {
  const headers: Record<string, string> = { [REQUEST_ID_HEADER]: req.requestId };
  if (req.identity) {
    headers['x-user-id'] = String(req.identity.userId);
    headers['x-user-email'] = req.identity.email;
    headers['x-user-admin'] = String(req.identity.isAdmin);
  }
  return headers;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  [key: string]: unknown;
}

/**
 * The Express app every service starts from: JSON body, correlation id, identity, request log and /health.
 * Add routes, then call finishApp(app, log) so the 404 and the error handler come last.
 */
export function createServiceApp(options: {
  service: string;
  log: Logger;
  health: () => Promise<HealthReport>;
}): ExpressApp {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '100kb' }));
  app.use(requestId);
  app.use(readIdentity);
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
  return app;
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

export function finishApp(app: ExpressApp, log: Logger): ExpressApp {
  app.use(notFoundHandler);
  app.use(
    errorHandler((error, req) => log.error({ err: error, correlation_id: req.requestId, path: req.path }, 'failed')),
  );
  return app;
}

export { AppError };
