/** What order-service says of a checkout's hold: an order was written for it, none was, or no answer. */
export type HoldOutcome = 'ordered' | 'not_ordered' | 'unknown';

/**
 * order-service over HTTP, asked only about holds nobody settled in time (see cartUseCases.sweepHolds). No answer is
 * "unknown": the hold stays, and the next sweep asks again.
 */
export class OrderClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async outcomeOf(holdId: string): Promise<HoldOutcome> {
    try {
      const response = await fetch(`${this.baseUrl}/internal/orders/by-cart-hold/${holdId}`, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (response.status === 404) return 'not_ordered';
      return response.ok ? 'ordered' : 'unknown';
    } catch {
      return 'unknown';
    }
  }
}
