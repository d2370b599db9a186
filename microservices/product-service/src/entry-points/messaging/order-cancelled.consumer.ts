import type { Messaging } from '@checkout-lab/shared';
import { releaseStock } from '../../domain/stock.use-case';

/**
 * order.order.cancelled with stock_reserved=true: the saga's compensation for a declined payment. The stock comes
 * back in the same transaction that records the event as processed; a cancellation before any reservation (the
 * stock was rejected) has nothing to give back.
 */
export function registerOrderCancelledConsumer(messaging: Messaging): void {
  messaging.consume('order.order.cancelled', async (event, client) => {
    if (!event.payload.stock_reserved) return;
    await releaseStock(client, event.payload.order_id);
  });
}
