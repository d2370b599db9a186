import { AppError } from '@checkout-lab/kit';
import { type CallFailed, type InternalAuth, jsonClient } from '@checkout-lab/shared';

export interface Cart {
  items: { product_id: number; name: string; price: string; quantity: number; line_total: string }[];
  total: string;
}

/**
 * The one synchronous call of checkout: take the buyer's cart from cart-service (its lines move into a hold named by
 * order-service), with a timeout. A cart-service that is down or slow becomes a 503 the buyer can retry, never a hung
 * request. release() gives a hold back when no order could be written. The headers are forwardHeaders(req): the
 * internal token order-service signs for the buyer, without which cart-service's /internal/* answers 401.
 */
export function cartClient(options: {
  baseUrl: string;
  timeoutMs: number;
  auth: InternalAuth;
  /** The fault lab's hop_delay_ms, read at every call. */
  hopDelayMs?: () => number;
}) {
  const http = jsonClient(options.baseUrl, {
    timeoutMs: options.timeoutMs,
    auth: options.auth,
    hopDelayMs: options.hopDelayMs,
  });

  function unavailable(message: string, status = 503): AppError {
    return new AppError({ status, code: 'CART_SERVICE_UNAVAILABLE', message });
  }
  async function post<T>(path: string, headers: Record<string, string>, body?: unknown) {
    try {
      return await http.post<T>(path, { headers, body });
    } catch (error) {
      throw unavailable(
        (error as CallFailed).reason === 'timeout'
          ? `cart-service did not answer within ${options.timeoutMs} ms; try again`
          : 'cart-service is unreachable; try again',
      );
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
      const answer = await post<Cart & { hold_id: string }>(`/internal/carts/${userId}/checkout`, headers, {
        hold_id: holdId,
        idempotency_key: idempotencyKey,
      });
      if (!answer.ok) {
        throw unavailable(`cart-service answered ${answer.status}; try again`, answer.status >= 500 ? 503 : 502);
      }
      const cart = answer.body;
      if (!cart || !Array.isArray(cart.items) || typeof cart.hold_id !== 'string') {
        throw new AppError({ status: 502, code: 'CART_SERVICE_BAD_RESPONSE', message: 'cart-service sent no cart' });
      }
      return cart;
    },

    async release(holdId: string, headers: Record<string, string>): Promise<void> {
      const answer = await post(`/internal/cart-holds/${holdId}/release`, headers);
      if (!answer.ok) throw new Error(`cart-service answered ${answer.status}`);
    },
  };
}
export type CartClient = ReturnType<typeof cartClient>;
