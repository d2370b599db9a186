import type { Messaging } from '@checkout-lab/shared';
import type { CartUseCases } from '../../domain/cart.use-case';

/**
 * order.order.created: the order was accepted, so its lines leave the buyer's cart. Idempotent twice over: the adapter
 * records the event id with the deletion, and deleting lines that are gone already changes nothing.
 */
export function consumeOrderCreated(messaging: Messaging, cart: CartUseCases): void {
  messaging.consume('order-created', ['order.order.created'], async (event, client) => {
    const productIds = event.payload.items.map((item) => item.product_id);
    await cart.clearOrdered(client, event.payload.user_id, productIds);
  });
}
