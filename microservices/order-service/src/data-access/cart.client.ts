import { AppError } from '@checkout-lab/kit';

export interface Cart {
  items: { product_id: number; name: string; price: string; quantity: number; line_total: string }[];
  total: string;
}

/**
 * The one synchronous call of checkout: take the buyer's cart from cart-service (its lines move into a hold named by
 * order-service), with a timeout. A cart-service that is down or slow becomes a 503 the buyer can retry, never a hung
 * request. release() gives a hold back when no order could be written.
 */
export function cartClient(options: { baseUrl: string; timeoutMs: number }) {
  async function post(path: string, headers: Record<string, string>, body?: unknown): Promise<Response> {
    try {
      return await fetch(`${options.baseUrl}${path}`, {
        method: 'POST',
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new AppError({
        status: 503,
        code: 'CART_SERVICE_UNAVAILABLE',
        message: timedOut
          ? `cart-service did not answer within ${options.timeoutMs} ms; try again`
          : 'cart-service is unreachable; try again',
      });
    }
  }

  return {
    /** The cart's lines and the hold they now sit in: `holdId`, or the hold an earlier attempt with the key took. */
    async take(
      userId: number,
      holdId: string,
      idempotencyKey: string | null,
      headers: Record<string, string>,
    ): Promise<Cart & { hold_id: string }> {
      const response = await post(`/internal/carts/${userId}/checkout`, headers, {
        hold_id: holdId,
        idempotency_key: idempotencyKey,
      });
      if (!response.ok) {
        throw new AppError({
          status: response.status >= 500 ? 503 : 502,
          code: 'CART_SERVICE_UNAVAILABLE',
          message: `cart-service answered ${response.status}; try again`,
        });
      }
      const cart = (await response.json()) as Cart & { hold_id: string };
      if (!cart || !Array.isArray(cart.items) || typeof cart.hold_id !== 'string') {
        throw new AppError({ status: 502, code: 'CART_SERVICE_BAD_RESPONSE', message: 'cart-service sent no cart' });
      }
      return cart;
    },

    async release(holdId: string, headers: Record<string, string>): Promise<void> {
      const response = await post(`/internal/cart-holds/${holdId}/release`, headers);
      if (!response.ok) throw new Error(`cart-service answered ${response.status}`);
    },
  };
}
export type CartClient = ReturnType<typeof cartClient>;
