import { AppError } from '@checkout-lab/kit';
import { type CallFailed, type InternalAuth, type JsonAnswer, type JsonClient, jsonClient } from '@checkout-lab/shared';

export interface RemoteProduct {
  id: number;
  name: string;
  price: string;
  stock: number;
}

// LESSON: Database per service (LESSONS.md#database-per-service)
/**
 * product-service over HTTP: the one service-to-service call of the cart. Services never import each other; they ask.
 * A remote call can be slow or fail, so it has a timeout, and
 * "product-service is down" is a 503 the buyer can retry, not a hang and not a 500.
 */
export class ProductClient {
  private readonly http: JsonClient;

  constructor(
    baseUrl: string,
    private readonly timeoutMs: number,
    auth: InternalAuth,
    /** The fault lab's hop_delay_ms, read at every call. */
    hopDelayMs?: () => number,
  ) {
    this.http = jsonClient(baseUrl, { timeoutMs, auth, hopDelayMs });
  }

  /** The product, or null when product-service says it does not exist. */
  async find(productId: number, requestId: string): Promise<RemoteProduct | null> {
    let answer: JsonAnswer<RemoteProduct>;
    try {
      answer = await this.http.get<RemoteProduct>(`/api/products/${productId}`, {
        headers: { 'x-request-id': requestId },
      });
    } catch (error) {
      throw unavailable(
        (error as CallFailed).reason === 'timeout' ? `did not answer within ${this.timeoutMs} ms` : 'is unreachable',
      );
    }
    if (answer.status === 404) return null;
    if (!answer.ok || !answer.body) throw unavailable(`answered ${answer.status}`);
    const body = answer.body;
    return { id: body.id, name: body.name, price: body.price, stock: body.stock };
  }
}

function unavailable(why: string): AppError {
  return new AppError({
    status: 503,
    code: 'PRODUCT_SERVICE_UNAVAILABLE',
    message: `The catalogue ${why}: try again in a moment`,
  });
}
