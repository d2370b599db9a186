import { AppError } from '@checkout-lab/kit';

export interface Cart {
  items: { product_id: number; name: string; price: string; quantity: number; line_total: string }[];
  total: string;
}

/**
 * The one synchronous call of checkout: read the buyer's cart from cart-service, with a timeout. A cart-service that
 * is down or slow becomes a 503 the buyer can retry, never a hung request.
 */
export function cartClient(options: { baseUrl: string; timeoutMs: number }) {
  return {
    async getCart(headers: Record<string, string>): Promise<Cart> {
      let response: Response;
      try {
        response = await fetch(`${options.baseUrl}/api/cart`, {
          headers,
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
      if (!response.ok) {
        throw new AppError({
          status: response.status >= 500 ? 503 : 502,
          code: 'CART_SERVICE_UNAVAILABLE',
          message: `cart-service answered ${response.status}; try again`,
        });
      }
      const cart = (await response.json()) as Cart;
      if (!cart || !Array.isArray(cart.items)) {
        throw new AppError({ status: 502, code: 'CART_SERVICE_BAD_RESPONSE', message: 'cart-service sent no cart' });
      }
      return cart;
    },
  };
}
export type CartClient = ReturnType<typeof cartClient>;
