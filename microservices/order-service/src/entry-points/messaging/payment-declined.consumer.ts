import type { Messaging } from '@checkout-lab/shared';
import type { SagaUseCases } from '../../domain/saga.use-case';

/**
 * payment.payment.declined: payment-service was declined: the order is cancelled and its compensation gives the
 * reserved stock back; with the compensation switched off (GET /api/lab/patterns), the order is only cancelled.
 */
export function registerPaymentDeclinedConsumer(messaging: Messaging, saga: SagaUseCases): void {
  messaging.consume('payment.payment.declined', (event, client) =>
    messaging.patterns.values.compensation
      ? saga.onPaymentDeclined(event, client)
      : saga.onPaymentDeclinedWithoutCompensation(event, client),
  );
}
