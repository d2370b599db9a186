import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '@checkout-lab/kit';
import { keptAliveAgent } from '@checkout-lab/shared';
import type { RequestHandler } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { ServiceName, ServiceUrls } from '../../data-access/service.client';

/** Which service serves which public path: the same /api contract as the monolith, split by ownership. */
export const ROUTES: { paths: string[]; service: ServiceName }[] = [
  { paths: ['/api/auth'], service: 'user-service' },
  { paths: ['/api/categories', '/api/products'], service: 'product-service' },
  { paths: ['/api/cart'], service: 'cart-service' },
  { paths: ['/api/orders'], service: 'order-service' },
  { paths: ['/api/notifications'], service: 'email-service' },
];

const TIMED_OUT = Symbol('timedOut');

/**
 * One proxy per service (http-proxy-middleware). The path is kept whole (pathFilter, not a mount path), the body is
 * streamed untouched (the gateway parses no JSON on these routes), and a call gets at most timeoutMs.
 * A service that is down answers 503, one that is too slow 504, any other failure 502: always the contract's JSON
 * shape, never a hang or a stack trace.
 */
export function proxyRoutes(urls: ServiceUrls, timeoutMs: number, log: Logger): RequestHandler[] {
  // http-proxy opens a new connection per request unless given an agent: reusing them saves a TCP handshake and a
  // socket in TIME_WAIT per request, which is most of the gateway's own cost on loopback.
  const agent = keptAliveAgent(512);
  return ROUTES.map(({ paths, service }) =>
    createProxyMiddleware<IncomingMessage, ServerResponse>({
      target: urls[service],
      agent,
      pathFilter: (path) =>
        paths.some((prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`)),
      changeOrigin: true,
      xfwd: true,
      proxyTimeout: timeoutMs,
      on: {
        proxyReq: (proxyReq, req) => {
          proxyReq.on('timeout', () => {
            (req as IncomingMessage & { [TIMED_OUT]?: boolean })[TIMED_OUT] = true;
          });
        },
        error: (error, req, res) => {
          const timedOut = (req as IncomingMessage & { [TIMED_OUT]?: boolean })[TIMED_OUT] === true;
          const code = (error as NodeJS.ErrnoException).code;
          const [status, errorCode, message] = timedOut
            ? [504, 'GATEWAY_TIMEOUT', `${service} did not answer within ${timeoutMs} ms`]
            : code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH'
              ? [503, 'SERVICE_UNAVAILABLE', `${service} is unavailable: try again in a moment`]
              : [502, 'BAD_GATEWAY', `${service} failed to answer`];
          log.warn({ service, code, timedOut, path: req.url, request_id: req.headers['x-request-id'] }, 'proxy error');
          if (!('writeHead' in res)) {
            (res as Socket).destroy();
            return;
          }
          if (res.headersSent) {
            res.destroy();
            return;
          }
          res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ error: { code: errorCode, message, details: { service } } }));
        },
      },
    }),
  );
}
