import { type InternalAuth, type JsonClient, jsonClient } from '@checkout-lab/shared';

/** What order-service says of a checkout's hold: an order was written for it, none was, or no answer. */
export type HoldOutcome = 'ordered' | 'not_ordered' | 'unknown';

/**
 * order-service over HTTP, asked only about holds nobody settled in time (see cartUseCases.sweepHolds). No answer is
 * "unknown": the hold stays, and the next sweep asks again. The sweep calls for no buyer: its internal token names
 * only cart-service.
 */
export class OrderClient {
  private readonly http: JsonClient;

  constructor(baseUrl: string, timeoutMs: number, auth: InternalAuth, hopDelayMs?: () => number) {
    this.http = jsonClient(baseUrl, { timeoutMs, maxSockets: 4, auth, hopDelayMs });
  }

  async outcomeOf(holdId: string): Promise<HoldOutcome> {
    try {
      const answer = await this.http.get(`/internal/orders/by-cart-hold/${holdId}`);
      if (answer.status === 404) return 'not_ordered';
      return answer.ok ? 'ordered' : 'unknown';
    } catch {
      return 'unknown';
    }
  }
}
