import type { Messaging } from '@checkout-lab/shared';
import type { SagaUseCases } from '../../domain/saga.use-case';

/**
 * payment.payment.processed: payment-service charged the card: the order is paid and order.order.paid asks email-
 * service for the confirmation.
 */
export function registerPaymentProcessedConsumer(messaging: Messaging, saga: SagaUseCases): void {
  messaging.consume('payment.payment.processed', saga.onPaymentProcessed);
}
