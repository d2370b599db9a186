import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { findNul, idSchema } from '@checkout-lab/contract';
import { type ZodType, z } from 'zod';

/**
 * The one error type of the lab's HTTP code: a stable string code, a status, a message a person can read.
 * Serialised as the contract's `{"error": {"code", "message", "details"}}`, details null when it has none.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;
  /** Response headers that belong to the error, such as Retry-After on a 429. */
  readonly headers?: Record<string, string>;
  constructor(options: {
    status: number;
    code: string;
    message: string;
    details?: unknown;
    headers?: Record<string, string>;
  }) {
    super(options.message);
    this.status = options.status;
    this.code = options.code;
    this.details = options.details;
    this.headers = options.headers;
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
  /** 429 with Retry-After in whole seconds (at least 1), the way a client knows when to come back. */
  rateLimited: (retryAfterS: number, message: string) =>
    new AppError({
      status: 429,
      code: 'RATE_LIMITED',
      message,
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterS))) },
    }),
};

// The contract's shared pieces (the id, the new password, the NUL refusal) are defined once in the contract package;
// lab-kit re-exports them for the code that validates with parseInput.
export { BCRYPT_MAX_PASSWORD_BYTES, fitsBcrypt, idSchema, newPasswordSchema } from '@checkout-lab/contract';

/**
 * Parses input with a zod schema; a failure becomes a 422 that lists each bad field. A NUL character in any string
 * of the input is refused here, once for every schema of both stacks.
 */
export function parseInput<T>(schema: ZodType<T>, input: unknown): T {
  const nulAt = findNul(input);
  if (nulAt !== null)
    throw errors.validation([{ field: nulAt, message: 'must not contain a NUL character (\\u0000)' }]);
  const result = schema.safeParse(input);
  if (!result.success) {
    throw errors.validation(
      result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message })),
    );
  }
  return result.data;
}

/**
 * An id from a path or query (`field`, default "id"): decimal digits 1..2147483647, else a 422 naming the field, before
 * any SQL runs ("0x10", "1e1", "+5", " 7" are refused).
 */
export function parseId(value: unknown, field = 'id'): number {
  return parseInput(idObject(field), { [field]: value })[field] as number;
}

// PERF: one schema per field name, made once: zod compiles an object schema on its first parse, about 0.13 ms,
// which a schema made on every call paid on every request (docs/results/measurements.md, "Schemas made once").
const idObjects = new Map<string, ZodType<Record<string, number>>>();
function idObject(field: string): ZodType<Record<string, number>> {
  let schema = idObjects.get(field);
  if (!schema) {
    schema = z.object({ [field]: idSchema });
    idObjects.set(field, schema);
  }
  return schema;
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
 * The contract's error body. `details` is always there, so a client reads one shape: null when the code and the
 * message say it all, else what the code documents (the bad fields of a VALIDATION_ERROR, the short line of an
 * OUT_OF_STOCK, the service a SERVICE_UNAVAILABLE names). Every error of both stacks is written by this function.
 */
export function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, details: details ?? null } };
}

/**
 * The error handler is registered last. Known errors keep their status and code; a body that is not JSON is a 400;
 * anything else is logged here and leaves the server as a plain 500, never with a stack trace.
 */
export function errorHandler(log: (error: unknown, req: Request) => void): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof AppError) {
      if (error.headers) res.set(error.headers);
      res.status(error.status).json(errorBody(error.code, error.message, error.details));
      return;
    }
    const bodyParser = error as { type?: string; status?: number; expose?: boolean };
    if (bodyParser.type === 'entity.parse.failed') {
      res.status(400).json(errorBody('MALFORMED_JSON', 'The request body is not valid JSON'));
      return;
    }
    if (bodyParser.type === 'entity.too.large') {
      res.status(413).json(errorBody('PAYLOAD_TOO_LARGE', 'The request body is too large'));
      return;
    }
    if (bodyParser.expose && bodyParser.status && bodyParser.status < 500) {
      res.status(bodyParser.status).json(errorBody('BAD_REQUEST', (error as Error).message));
      return;
    }
    log(error, req);
    if (res.headersSent) return;
    res.status(500).json(errorBody('INTERNAL_ERROR', 'Something went wrong on our side'));
  };
}

/** What Node's HTTP parser can refuse before any route runs, as the contract's status, code and message. */
const CLIENT_ERRORS: Record<string, [status: number, reason: string, code: string, message: string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'Request Header Fields Too Large',
    'HEADERS_TOO_LARGE',
    'The request headers are too large',
  ],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Payload Too Large', 'PAYLOAD_TOO_LARGE', 'The chunk extensions are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'The request did not arrive in time'],
};
const MALFORMED: [number, string, string, string] = [
  400,
  'Bad Request',
  'MALFORMED_REQUEST',
  'The request is not valid HTTP',
];

/**
 * Listens on port (0: a free one) at host, with Node's own refusals answered in the contract's JSON (below); resolves
 * once listening. The monolith and the payment provider start their HTTP this way.
 */
export function listenJson(app: { listen: Express['listen'] }, port: number, host: string): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(listening)));
    answerClientErrorsAsJson(listening);
  });
}

/**
 * A malformed request line or header, or too many header bytes, never reaches Express: Node's HTTP server answers
 * it itself, with an empty body. This answers those in the contract's JSON error shape instead, then closes.
 * Call it where a server is created; it returns the server.
 */
export function answerClientErrorsAsJson<S extends Server>(server: S): S {
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // The parser may report the same broken connection again while the rest of its bytes arrive.
    if (answered.has(socket)) return;
    answered.add(socket);
    // Only when nothing of a response was sent on this connection: a second status line would corrupt it.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, reason, code, message] = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
    const body = JSON.stringify(errorBody(code, message));
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    // Closing at once with unread bytes (the rest of a 100 KB header) would reset the connection before the client
    // reads the answer; the client closes after it, and a client that does not is cut a moment later.
    setTimeout(() => socket.destroy(), 2000).unref();
  });
  return server;
}
