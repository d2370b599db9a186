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

  /**
   * A clock that goes on with an order's steps later, in a job (the fix accept_then_process): times still count from
   * the request's arrival (startedWallMs), and the next step starts now, so the wait in the job queue is a gap
   * between steps, not part of one.
   */
  static resume(log: Logger, startedWallMs: number, userId: number, steps: CheckoutStep[]): StepClock {
    const perf = performance.now() - (Date.now() - startedWallMs);
    const clock = new StepClock(log, { perf, wall: startedWallMs }, userId);
    clock.steps.push(...steps);
    clock.lastBoundaryMs = Math.floor(performance.now() - perf);
    return clock;
  }

  /** When the request arrived (epoch ms): completion_duration_ms counts from here. */
  get startedWallMs(): number {
    return this.startedAt.wall;
  }

  /** Request start to the end of the last step: what the buyer has waited so far. */
  get elapsedMs(): number {
    return this.lastBoundaryMs;
  }
}
