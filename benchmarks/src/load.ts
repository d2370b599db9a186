import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import express from 'express';
import { abortError } from './client';
import type { LoadResult } from './report';
import { round } from './stats';

export interface LoadOptions {
  label: string;
  url: string;
  connections: number;
  durationSec: number;
  /** Requests per second over all connections; when set, coordinated-omission correction is turned off. */
  rate?: number;
  requests?: autocannon.Request[];
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  onTick?: (secondsDone: number, requestsSoFar: number) => void;
}

/**
 * Runs autocannon and turns its result into the report's LoadResult.
 * With a rate set, autocannon's coordinated-omission correction would fill the histogram with invented latencies
 * (it assumes every request should have left on schedule), so ignoreCoordinatedOmission goes with every rate, and
 * the report shows the achieved rate beside the target one.
 */
export function runLoad(options: LoadOptions): Promise<{ load: LoadResult; raw: autocannon.Result }> {
  if (options.signal?.aborted) return Promise.reject(abortError(options.signal));
  return new Promise((resolve, reject) => {
    const opts: autocannon.Options = {
      url: options.url,
      connections: options.connections,
      duration: options.durationSec,
      method: options.method,
      body: options.body,
      headers: options.headers,
      requests: options.requests,
      timeout: 30,
    };
    if (options.rate !== undefined) {
      // overallRate is shared out over the connections, at least one request per second each: fewer connections
      // than that would leave some idle, so the run uses at most `rate` connections.
      opts.connections = Math.max(1, Math.min(options.connections, Math.floor(options.rate)));
      opts.overallRate = options.rate;
      opts.ignoreCoordinatedOmission = true;
    }
    let seconds = 0;
    let requests = 0;
    const onAbort = () => instance.stop();
    const instance = autocannon(opts, (error, result) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (error) return reject(error);
      if (options.signal?.aborted) return reject(abortError(options.signal));
      resolve({ load: toLoadResult(options, result), raw: result });
    });
    // The typings say 'tick' carries nothing; autocannon passes the counts of the last second.
    (instance as unknown as NodeJS.EventEmitter).on('tick', (tick: { counter: number }) => {
      seconds += 1;
      requests += tick.counter;
      options.onTick?.(seconds, requests);
    });
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function toLoadResult(options: LoadOptions, result: autocannon.Result): LoadResult {
  const byStatus: Record<string, number> = {};
  for (const [status, stat] of Object.entries(result.statusCodeStats ?? {})) byStatus[status] = stat.count ?? 0;
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  return {
    label: options.label,
    url: options.url,
    connections: result.connections,
    duration_sec: round(result.duration, 3) ?? options.durationSec,
    target_rate: options.rate ?? null,
    achieved_rate: round(total / (result.duration || options.durationSec), 2) ?? 0,
    total_requests: total,
    non_2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    by_status: byStatus,
    latency_ms: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: round(result.latency.average, 3) ?? 0,
    },
    requests_per_sec: {
      p50: result.requests.p50,
      mean: round(result.requests.average, 2) ?? 0,
      min: result.requests.min,
      max: result.requests.max,
    },
  };
}

/** A bare Express app: the floor of this machine. GET answers a small JSON; POST parses a JSON body and answers 201. */
export async function startFloorServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const app = express();
  app.use(express.json());
  let next = 1;
  app.get('/floor', (_req, res) => {
    res.json({ ok: true });
  });
  app.post('/floor', (req, res) => {
    res.status(201).json({ id: next++, received: req.body ?? null });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
