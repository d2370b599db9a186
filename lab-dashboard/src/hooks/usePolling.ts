import { useEffect } from 'react';

/**
 * Runs tick now and every intervalMs while the component is mounted. tick is told whether the component is still
 * mounted when its answer arrives (an answer after that is dropped); keep it stable (useCallback).
 */
export function usePolling(tick: (mounted: () => boolean) => Promise<void>, intervalMs: number): void {
  useEffect(() => {
    let stopped = false;
    const run = () => void tick(() => !stopped);
    run();
    const timer = setInterval(run, intervalMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [tick, intervalMs]);
}
