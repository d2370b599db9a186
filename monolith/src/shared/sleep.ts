import { performance } from 'node:perf_hooks';

/**
 * Waits at least ms milliseconds by the same clock the checkout's step timings use. A timer can fire a fraction of a
 * millisecond early by that clock, and a simulated 1 s payment that lasts 999.7 ms would make its step look shorter
 * than the knob says.
 */
export async function sleep(ms: number): Promise<void> {
  const until = performance.now() + ms;
  for (let left = ms; left > 0; left = until - performance.now()) {
    await new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(left)));
  }
}
