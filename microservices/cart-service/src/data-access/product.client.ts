import { AppError } from '@checkout-lab/kit';

export interface RemoteProduct {
  id: number;
  name: string;
  price: string;
  stock: number;
}

/**
 * product-service over HTTP: the one service-to-service call of the cart. Services never import each other; they ask.
 * LESSON: a remote call can be slow or fail (LESSONS.md#database-per-service), so it has a timeout, and
 * "product-service is down" is a 503 the buyer can retry, not a hang and not a 500.
 */
export class ProductClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  /** The product, or null when product-service says it does not exist. */
  async find(productId: number, requestId: string): Promise<RemoteProduct | null> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/api/products/${productId}`, {
        headers: { 'x-request-id': requestId, accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw unavailable(timedOut ? `did not answer within ${this.timeoutMs} ms` : 'is unreachable');
    }
    if (response.status === 404) return null;
    if (!response.ok) throw unavailable(`answered ${response.status}`);
    const body = (await response.json()) as RemoteProduct;
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
