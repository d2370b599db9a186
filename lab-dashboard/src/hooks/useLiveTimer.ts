import { useEffect, useRef, useState } from 'react';

/**
 * A stopwatch for "what the buyer is waiting for": starts when `running` turns true, ticks every `tickMs` (100 ms by
 * default) and freezes at the final value when `running` turns false.
 */
export function useLiveTimer(running: boolean, tickMs = 100, now: () => number = () => performance.now()): number {
  const [elapsed, setElapsed] = useState(0);
  const startedAt = useRef<number | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `now` is a clock, not data; a new function each render must not restart the timer
  useEffect(() => {
    if (!running) {
      if (startedAt.current !== null) setElapsed(now() - startedAt.current);
      startedAt.current = null;
      return;
    }
    startedAt.current = now();
    setElapsed(0);
    const timer = setInterval(() => {
      if (startedAt.current !== null) setElapsed(now() - startedAt.current);
    }, tickMs);
    return () => clearInterval(timer);
  }, [running, tickMs]);

  return elapsed;
}
