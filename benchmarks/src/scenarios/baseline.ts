import { type LoadOptions, runLoad, startFloorServer } from '../load';
import type { FloorResult } from '../report';
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
    const get = await runLoad({ ...common, label: 'floor GET', method: 'GET', onTick: tick(0) });
    const post = await runLoad({
      ...common,
      label: 'floor POST',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ product_id: 1, quantity: 1 }),
      onTick: tick(settings.durationSec),
    });
    return { get: get.load, post: post.load };
  } finally {
    await server.stop();
  }
}
