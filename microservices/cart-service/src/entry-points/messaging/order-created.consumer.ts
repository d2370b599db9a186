import type { Messaging } from '@checkout-lab/shared';
import type { CartUseCases } from '../../domain/cart.use-case';

/**
 * order.order.created: the order was accepted, so its quantities leave the buyer's cart. Idempotent twice over: the
 * adapter records the event id, and the cart records the order id, so a replay under a new event id takes nothing.
 */
export function consumeOrderCreated(messaging: Messaging, cart: CartUseCases): void {
  messaging.consume('order-created', ['order.order.created'], async (event, client) => {
    const { user_id, order_id, items } = event.payload;
    await cart.clearOrdered(client, user_id, order_id, items);
  });
}
