import express, { type Router } from 'express';
import type { StackId } from '../shared/types';

/** Request headers worth passing on; hop-by-hop headers and cookies of the dashboard stay behind. */
const FORWARDED_REQUEST_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'accept', 'x-request-id'];
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'location', 'x-request-id', 'retry-after'];

/**
 * The page calls both stacks through these two prefixes (`/stack/monolith/api/...`, `/stack/micro/api/...`), so the
 * browser talks to one origin only: no CORS, and the page works wherever the lab API is reachable.
 */
export function stackProxyRouter(targets: Record<StackId, string>): Router {
  const router = express.Router();
  router.use(express.raw({ type: () => true, limit: '1mb' }));
  for (const stack of Object.keys(targets) as StackId[]) {
    router.all(`/${stack}/*path`, async (req, res) => {
      const rest = req.originalUrl.slice(`/stack/${stack}`.length);
      const headers: Record<string, string> = {};
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const hasBody = !['GET', 'HEAD'].includes(req.method) && Buffer.isBuffer(req.body) && req.body.length > 0;
      try {
        const upstream = await fetch(`${targets[stack]}${rest}`, {
          method: req.method,
          headers,
          body: hasBody ? new Uint8Array(req.body as Buffer) : undefined,
          signal: AbortSignal.timeout(60_000),
        });
        res.status(upstream.status);
        for (const name of FORWARDED_RESPONSE_HEADERS) {
          const value = upstream.headers.get(name);
          if (value) res.setHeader(name, value);
        }
        res.send(Buffer.from(await upstream.arrayBuffer()));
      } catch (error) {
        res.status(502).json({
          error: {
            code: 'STACK_UNREACHABLE',
            message: `The ${stack === 'micro' ? 'microservices gateway' : 'monolith'} at ${targets[stack]} does not answer: is it started?`,
            details: { reason: (error as Error).message },
          },
        });
      }
    });
  }
  return router;
}
