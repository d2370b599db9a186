import type { Messaging } from '@checkout-lab/shared';
import type { SagaUseCases } from '../../domain/saga.use-case';

/**
 * product.stock.reserved: product-service held the order's stock: the order is stock_reserved and
 * order.payment.requested asks for the payment.
 */
export function registerStockReservedConsumer(messaging: Messaging, saga: SagaUseCases): void {
  messaging.consume('product.stock.reserved', saga.onStockReserved);
}
