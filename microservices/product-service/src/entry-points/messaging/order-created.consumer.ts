import { followEvent, type Messaging, outbox } from '@checkout-lab/shared';
import type { ProductFaults } from '../../domain/faults';
import { reserveStock } from '../../domain/stock.use-case';

/**
 * order.order.created: reserve the order's stock, then announce the outcome through the outbox, in the same local
 * transaction as the stock change (the adapter opened it and recorded the event id in it).
 */
export function registerOrderCreatedConsumer(messaging: Messaging, faults: ProductFaults): void {
  messaging.consume('order.order.created', async (event, client) => {
    const outcome = await reserveStock(client, event.payload, { ...faults.values });
    const next = outcome.reserved
      ? followEvent(event, 'product.stock.reserved', {
          order_id: event.payload.order_id,
          items: outcome.items,
          timing: outcome.timing,
        })
      : followEvent(event, 'product.stock.rejected', {
          order_id: event.payload.order_id,
          reason: outcome.reason,
          product_id: outcome.product_id,
          timing: outcome.timing,
        });
    await outbox.add(client, next);
  });
}
