import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { ZodType } from 'zod';

/**
 * The one error type of the lab's HTTP code: a stable string code, a status, a message a person can read.
 * Serialised as the contract's `{"error": {"code", "message", "details"}}`.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;
  constructor(options: { status: number; code: string; message: string; details?: unknown }) {
    super(options.message);
    this.status = options.status;
    this.code = options.code;
    this.details = options.details;
  }
}

export const errors = {
  validation: (details: unknown, message = 'The request is not valid') =>
    new AppError({ status: 422, code: 'VALIDATION_ERROR', message, details }),
  badRequest: (code: string, message: string) => new AppError({ status: 400, code, message }),
  unauthorized: (message = 'Authentication required') => new AppError({ status: 401, code: 'UNAUTHORIZED', message }),
  forbidden: (message = 'You are not allowed to do this') => new AppError({ status: 403, code: 'FORBIDDEN', message }),
  notFound: (what: string) => new AppError({ status: 404, code: 'NOT_FOUND', message: `${what} not found` }),
  conflict: (code: string, message: string, details?: unknown) => new AppError({ status: 409, code, message, details }),
};

/** Parses input with a zod schema; a failure becomes a 422 that lists each bad field. */
export function parseInput<T>(schema: ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw errors.validation(
      result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message })),
    );
  }
  return result.data;
}

/** Express 5 forwards rejected promises to the error handler; this keeps handlers typed and short. */
export function route(
  handler: (req: Request, res: Response, next: NextFunction) => Promise<unknown> | unknown,
): RequestHandler {
  return async (req, res, next) => {
    try {
      await handler(req, res, next);
    } catch (error) {
      next(error);
    }
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError({ status: 404, code: 'NOT_FOUND', message: `No route for ${req.method} ${req.path}` }));
};

/**
 * The error handler is registered last. Known errors keep their status and code; a body that is not JSON is a 400;
 * anything else is logged here and leaves the server as a plain 500, never with a stack trace.
 */
export function errorHandler(log: (error: unknown, req: Request) => void): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof AppError) {
      res.status(error.status).json({ error: { code: error.code, message: error.message, details: error.details } });
      return;
    }
    const bodyParser = error as { type?: string; status?: number; expose?: boolean };
    if (bodyParser.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'MALFORMED_JSON', message: 'The request body is not valid JSON' } });
      return;
    }
    if (bodyParser.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' } });
      return;
    }
    if (bodyParser.expose && bodyParser.status && bodyParser.status < 500) {
      res.status(bodyParser.status).json({ error: { code: 'BAD_REQUEST', message: (error as Error).message } });
      return;
    }
    log(error, req);
    if (res.headersSent) return;
    res.status(500).json({ error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' } });
  };
}
