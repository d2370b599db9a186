import type { Messaging } from '@checkout-lab/shared';
import type { SagaUseCases } from '../../domain/saga.use-case';

/**
 * order-service's consumers: one durable queue per event it reacts to (<prefix>order-service.<routing key>), so a
 * poison message of one kind never blocks the others, and each has its own retries.
 */
export function registerSagaConsumers(messaging: Messaging, saga: SagaUseCases): void {
  messaging.consume('product.stock.reserved', ['product.stock.reserved'], saga.onStockReserved);
  messaging.consume('product.stock.rejected', ['product.stock.rejected'], saga.onStockRejected);
  messaging.consume('payment.payment.processed', ['payment.payment.processed'], saga.onPaymentProcessed);
  messaging.consume('payment.payment.declined', ['payment.payment.declined'], saga.onPaymentDeclined);
  messaging.consume('email.email.sent', ['email.email.sent'], saga.onEmailSent);
}
