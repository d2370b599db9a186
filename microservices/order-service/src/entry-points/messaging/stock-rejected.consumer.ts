import type { Messaging } from '@checkout-lab/shared';
import type { SagaUseCases } from '../../domain/saga.use-case';

/**
 * product.stock.rejected: product-service could not hold the stock (out of stock, unknown product): the order is
 * cancelled, nothing to give back.
 */
export function registerStockRejectedConsumer(messaging: Messaging, saga: SagaUseCases): void {
  messaging.consume('product.stock.rejected', saga.onStockRejected);
}
