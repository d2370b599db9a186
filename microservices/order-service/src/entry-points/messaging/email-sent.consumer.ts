import type { Messaging } from '@checkout-lab/shared';
import type { SagaUseCases } from '../../domain/saga.use-case';

/** email.email.sent: email-service sent the confirmation: the order is confirmed, the saga's last step. */
export function registerEmailSentConsumer(messaging: Messaging, saga: SagaUseCases): void {
  messaging.consume('email.email.sent', saga.onEmailSent);
}
