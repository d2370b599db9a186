import { followEvent, type LabEvent, outbox, type PoolClient } from '@checkout-lab/shared';
import type { Logger } from '@checkout-lab/kit';
import { orderRepository } from '../data-access/order.repository';

// LESSON: The saga and its compensation (LESSONS.md#the-saga-and-its-compensation)
/**
 * order-service keeps the order's
 * state and reacts to each service's outcome with the next request, or with a compensation. Every transition is
 * guarded by the status it expects, so a duplicate, late or reordered event cannot move an order backwards or out of
 * a final status. Each runs inside the consumer's transaction, together with the outbox row of the next event.
 */
export function sagaUseCases(log: Logger) {
  function ignored(event: LabEvent, orderId: number): void {
    log.info(
      { event_id: event.id, type: event.type, order_id: orderId, correlation_id: event.correlation_id },
      'event does not apply to the order in its current status; ignored',
    );
  }

  /** A declined payment cancels the order, if it is still waiting for its payment; null when it is not. */
  function cancelDeclined(event: LabEvent<'payment.payment.declined'>, client: PoolClient) {
    return orderRepository.transition(client, {
      id: event.payload.order_id,
      from: ['stock_reserved'],
      to: 'cancelled',
      failureReason: 'payment_declined',
      step: event.payload.timing,
    });
  }

  return {
    async onStockReserved(event: LabEvent<'product.stock.reserved'>, client: PoolClient): Promise<void> {
      const { order_id, timing } = event.payload;
      const order = await orderRepository.transition(client, {
        id: order_id,
        from: ['pending'],
        to: 'stock_reserved',
        step: timing,
      });
      if (!order) return ignored(event, order_id);
      await outbox.add(
        client,
        followEvent(event, 'order.payment.requested', { order_id, user_id: order.user_id, amount: order.total }),
      );
    },

    async onStockRejected(event: LabEvent<'product.stock.rejected'>, client: PoolClient): Promise<void> {
      const { order_id, timing } = event.payload;
      const order = await orderRepository.transition(client, {
        id: order_id,
        from: ['pending'],
        to: 'cancelled',
        failureReason: event.payload.reason === 'unknown_product' ? 'unknown_product' : 'out_of_stock',
        step: timing,
      });
      if (!order) return ignored(event, order_id);
      await outbox.add(
        client,
        followEvent(event, 'order.order.cancelled', {
          order_id,
          user_id: order.user_id,
          reason: order.failure_reason ?? 'out_of_stock',
          items: order.items.map(({ product_id, quantity }) => ({ product_id, quantity })),
          stock_reserved: false,
        }),
      );
    },

    async onPaymentProcessed(event: LabEvent<'payment.payment.processed'>, client: PoolClient): Promise<void> {
      const { order_id, timing } = event.payload;
      const order = await orderRepository.transition(client, {
        id: order_id,
        from: ['stock_reserved'],
        to: 'paid',
        step: timing,
      });
      if (!order) return ignored(event, order_id);
      await outbox.add(
        client,
        followEvent(event, 'order.order.paid', {
          order_id,
          user_id: order.user_id,
          user_email: order.user_email,
          total: order.total,
          items: order.items,
        }),
      );
    },

    /** The compensation: the stock product-service reserved must go back (stock_reserved=true). */
    async onPaymentDeclined(event: LabEvent<'payment.payment.declined'>, client: PoolClient): Promise<void> {
      const { order_id } = event.payload;
      const order = await cancelDeclined(event, client);
      if (!order) return ignored(event, order_id);
      await outbox.add(
        client,
        followEvent(event, 'order.order.cancelled', {
          order_id,
          user_id: order.user_id,
          reason: 'payment_declined',
          items: order.items.map(({ product_id, quantity }) => ({ product_id, quantity })),
          stock_reserved: true,
        }),
      );
    },

    // LESSON: Switch off compensation (LESSONS.md#switch-off-compensation)
    /**
     * The naive variant of onPaymentDeclined, run while the
     * compensation is switched off: the order is cancelled, and that is all. No order.order.cancelled goes out, so
     * product-service never hears that the stock it reserved for this order is free again (and a charge, had there
     * been one, would not be refunded): each declined order keeps its units out of the shop for ever. Each service's
     * own step committed on its own; only a compensating step undoes one, and here nobody sends it.
     */
    async onPaymentDeclinedWithoutCompensation(
      event: LabEvent<'payment.payment.declined'>,
      client: PoolClient,
    ): Promise<void> {
      const { order_id } = event.payload;
      const order = await cancelDeclined(event, client);
      if (!order) return ignored(event, order_id);
      log.warn({ order_id, correlation_id: event.correlation_id }, 'compensation off: the reserved stock is kept');
    },

    async onEmailSent(event: LabEvent<'email.email.sent'>, client: PoolClient): Promise<void> {
      const { order_id, timing, sent_at } = event.payload;
      const order = await orderRepository.transition(client, {
        id: order_id,
        from: ['paid'],
        to: 'confirmed',
        emailSentAt: sent_at,
        step: timing,
      });
      if (!order) return ignored(event, order_id);
      await outbox.add(client, followEvent(event, 'order.order.confirmed', { order_id, user_id: order.user_id }));
    },
  };
}
export type SagaUseCases = ReturnType<typeof sagaUseCases>;
