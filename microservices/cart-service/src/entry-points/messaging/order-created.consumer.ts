import type { Messaging } from '@checkout-lab/shared';
import type { CartUseCases } from '../../domain/cart.use-case';

/**
 * order.order.created: the order was written, so the hold its checkout took from the cart is done with. The cart itself
 * was emptied at checkout (cartUseCases.take); deleting a hold that is gone already is a no-op, so a replay changes
 * nothing.
 */
export function registerOrderCreatedConsumer(messaging: Messaging, cart: CartUseCases): void {
  messaging.consume('order.order.created', async (event, client) => {
    await cart.settleHold(client, event.payload.cart_hold_id);
  });
}
