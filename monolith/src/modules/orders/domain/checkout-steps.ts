import { performance } from 'node:perf_hooks';
import type { Logger } from '@checkout-lab/kit';
import type { CheckoutStep } from '../data-access/order.entity';

/**
 * Times the checkout's numbered steps back to back from the moment the request arrived, so that the steps cover the
 * buyer's whole wait and their durations add up exactly to processing_duration_ms. Step boundaries are rounded to
 * whole milliseconds once; each duration is the difference of two boundaries, so no rounding error accumulates.
 */
export class StepClock {
  readonly steps: CheckoutStep[] = [];
  private lastBoundaryMs = 0;
  orderId: number | null = null;

  constructor(
    private readonly log: Logger,
    private readonly startedAt: { perf: number; wall: number },
    private readonly userId: number,
  ) {}

  async run<T>(name: string, work: () => Promise<T>): Promise<T> {
    const startBoundary = this.lastBoundaryMs;
    try {
      return await work();
    } finally {
      // Whole milliseconds, rounded down at every boundary: the steps still add up exactly to the total, and a step
      // that lasted at least its delay never reads less than that delay.
      const endBoundary = Math.floor(performance.now() - this.startedAt.perf);
      const step: CheckoutStep = {
        name,
        service: 'monolith',
        started_at: new Date(this.startedAt.wall + startBoundary).toISOString(),
        duration_ms: endBoundary - startBoundary,
      };
      this.steps.push(step);
      this.lastBoundaryMs = endBoundary;
      this.log.info(
        { step: name, duration_ms: step.duration_ms, order_id: this.orderId, user_id: this.userId },
        `checkout step ${name}`,
      );
    }
  }

  /** Request start to the end of the last step: what the buyer has waited so far. */
  get elapsedMs(): number {
    return this.lastBoundaryMs;
  }
}
