import { performance } from 'node:perf_hooks';
import fs from 'node:fs';
import { ApiClient, throwIfAborted } from '../client';
import { clockTicksPerSec, type MachineTicks, parseMachineTicks } from '../cpu';
import { type LoadOptions, runLoad, startFloorServer } from '../load';
import type { FloorCpu, FloorResult, LoadResult } from '../report';
import { round, summarize } from '../stats';
import type { Hooks } from '../stack-run';

/**
 * baseline: a bare Express handler started in this process on port 0 and hit with autocannon exactly the way the
 * stacks are hit. It is the floor of this machine: every other figure is also reported as a ratio to it, so that
 * reports from a laptop and from a CI runner can be compared.
 */
export async function measureFloor(
  settings: { connections: number; durationSec: number; rate?: number },
  hooks: Hooks,
): Promise<FloorResult> {
  const server = await startFloorServer();
  try {
    const common: Omit<LoadOptions, 'label' | 'method'> = {
      url: `${server.url}/floor`,
      connections: settings.connections,
      durationSec: settings.durationSec,
      rate: settings.rate,
      signal: hooks.signal,
    };
    const total = settings.durationSec * 2;
    const tick = (offset: number) => (seconds: number) =>
      hooks.onProgress?.({ phase: 'floor', target: 'baseline', done: offset + seconds, total });
    hooks.onProgress?.({ phase: 'floor', target: 'baseline', done: 0, total, message: 'bare Express GET and POST' });
    // One second of warm-up, so the first figures are not those of a cold JIT.
    await runLoad({ ...common, label: 'floor warm-up', method: 'GET', durationSec: 1, rate: undefined });
    const get = await runLoad({ ...common, label: 'floor GET', method: 'GET', onTick: tick(0) });
    const before = machineTicks();
    const post = await runLoad({
      ...common,
      label: 'floor POST',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ product_id: 1, quantity: 1 }),
      onTick: tick(settings.durationSec),
    });
    return { get: get.load, post: post.load, post_cpu: floorCpu(before, machineTicks(), post.load.total_requests) };
  } finally {
    await server.stop();
  }
}

function machineTicks(): MachineTicks | null {
  try {
    return parseMachineTicks(fs.readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** The machine's CPU between two readings of /proc/stat, per POST answered in between; null figures when unreadable. */
export function floorCpu(start: MachineTicks | null, end: MachineTicks | null, requests: number): FloorCpu {
  if (!start || !end || end.total <= start.total) {
    return { busy_cpu_s: null, busy_share: null, requests, ms_per_request: null };
  }
  const busyS = (end.busy - start.busy) / clockTicksPerSec().value;
  return {
    busy_cpu_s: round(busyS, 3),
    busy_share: round((end.busy - start.busy) / (end.total - start.total), 4),
    requests,
    ms_per_request: requests > 0 ? round((busyS * 1000) / requests, 4) : null,
  };
}

/**
 * The floor for the sequential scenario: one request at a time through the same client the scenario uses, timed
 * with performance.now() (autocannon's histogram has a 1 ms resolution, too coarse for a bare handler).
 */
export async function measureSequentialFloor(requests: number, hooks: Hooks): Promise<FloorResult> {
  const server = await startFloorServer();
  const client = new ApiClient(server.url, hooks.signal);
  try {
    hooks.onProgress?.({ phase: 'floor', target: 'baseline', done: 0, total: 2, message: 'bare Express, sequential' });
    for (let i = 0; i < 200; i++) await client.request('GET', '/floor');
    const measure = async (label: string, method: 'GET' | 'POST', step: number): Promise<LoadResult> => {
      const latencies: number[] = [];
      const started = performance.now();
      for (let i = 0; i < requests; i++) {
        throwIfAborted(hooks.signal);
        const r = await client.request(
          method,
          '/floor',
          method === 'POST' ? { body: { product_id: 1, quantity: 1 } } : {},
        );
        latencies.push(r.latencyMs);
      }
      const seconds = (performance.now() - started) / 1000;
      hooks.onProgress?.({ phase: 'floor', target: 'baseline', done: step, total: 2 });
      const s = summarize(latencies);
      const rate = round(requests / seconds, 2) ?? 0;
      return {
        label,
        url: `${server.url}/floor`,
        connections: 1,
        duration_sec: round(seconds, 3) ?? 0,
        target_rate: null,
        achieved_rate: rate,
        total_requests: requests,
        non_2xx: 0,
        errors: client.counts.network_errors,
        timeouts: 0,
        by_status: { ...client.counts.by_status },
        latency_ms: { p50: s.p50 ?? 0, p90: s.p90 ?? 0, p99: s.p99 ?? 0, max: s.max ?? 0, mean: s.mean ?? 0 },
        requests_per_sec: { p50: rate, mean: rate, min: rate, max: rate },
      };
    };
    return {
      get: await measure('floor GET (sequential)', 'GET', 1),
      post: await measure('floor POST (sequential)', 'POST', 2),
    };
  } finally {
    client.close();
    await server.stop();
  }
}
