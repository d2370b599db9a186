import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { INTERNAL_TOKEN_HEADER, type InternalAuth } from './http';

/** A service's answer: its status and its JSON body (null when it sent none, or none that parses). */
export interface JsonAnswer<T = unknown> {
  status: number;
  ok: boolean;
  body: T | null;
}

/** Why a call got no answer: the timeout passed, or the service could not be reached (refused, reset). */
export class CallFailed extends Error {
  constructor(
    readonly reason: 'timeout' | 'unreachable',
    message: string,
  ) {
    super(message);
    this.name = reason === 'timeout' ? 'TimeoutError' : 'CallFailed';
  }
}

/**
 * The kept-alive connections of every call between the gateway and the services. An idle socket is dropped after 4 s,
 * before the other side's 5 s keep-alive timeout (Node's default) can close it just as a request is sent on it: that
 * request would fail with a connection reset though the service is up.
 */
export function keptAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: 64, timeout: 4000 });
}

// PERF: built on node:http rather than fetch: on the checkout path (order-service taking the cart, the cart asking
// the catalogue) fetch costs about 0.3 ms more per call and three times the CPU (docs/results/measurements.md).
/**
 * JSON over HTTP from one service to another, on kept-alive connections and with a timeout for the whole call.
 * With `auth`, a call that carries no internal token of its own (forwardHeaders(req) signs one for a buyer) gets one
 * naming only this service: the services answer nothing on /internal/* without it. With `hopDelayMs` (the fault lab's
 * hop_delay_ms, read at every call), each call waits that long before it is sent, as over a slow network.
 */
export function jsonClient(
  baseUrl: string,
  options: { timeoutMs: number; maxSockets?: number; auth?: InternalAuth; hopDelayMs?: () => number },
) {
  const agent = keptAliveAgent(options.maxSockets ?? 256);

  async function request<T>(
    method: string,
    path: string,
    call: { headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {},
  ): Promise<JsonAnswer<T>> {
    const hopDelayMs = options.hopDelayMs?.() ?? 0;
    if (hopDelayMs > 0) await sleep(hopDelayMs);
    return send<T>(method, path, call);
  }

  function send<T>(
    method: string,
    path: string,
    call: { headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {},
  ): Promise<JsonAnswer<T>> {
    const timeoutMs = call.timeoutMs ?? options.timeoutMs;
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    const headers: Record<string, string | number> = { accept: 'application/json', ...call.headers };
    if (options.auth && headers[INTERNAL_TOKEN_HEADER] === undefined) {
      headers[INTERNAL_TOKEN_HEADER] = options.auth.sign();
    }
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const req = http.request(`${baseUrl}${path}`, { method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          finish(() => {
            const status = res.statusCode ?? 0;
            let body: T | null = null;
            try {
              body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as T) : null;
            } catch {
              body = null;
            }
            resolve({ status, ok: status >= 200 && status < 300, body });
          }),
        );
        res.on('error', (error) => finish(() => reject(new CallFailed('unreachable', error.message))));
      });
      const timer = setTimeout(() => {
        finish(() => reject(new CallFailed('timeout', `no answer within ${timeoutMs} ms`)));
        req.destroy();
      }, timeoutMs);
      req.on('error', (error) => finish(() => reject(new CallFailed('unreachable', error.message))));
      req.end(payload);
    });
  }

  return {
    request,
    get: <T>(path: string, call?: { headers?: Record<string, string>; timeoutMs?: number }) =>
      request<T>('GET', path, call),
    post: <T>(path: string, call?: { headers?: Record<string, string>; body?: unknown; timeoutMs?: number }) =>
      request<T>('POST', path, call),
    /** Closes the kept-alive connections (at stop). */
    close: () => agent.destroy(),
  };
}

export type JsonClient = ReturnType<typeof jsonClient>;
