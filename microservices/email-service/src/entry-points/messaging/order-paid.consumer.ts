import type { Messaging } from '@checkout-lab/shared';
import type { sendConfirmationUseCase } from '../../domain/send-confirmation.use-case';

export function registerOrderPaidConsumer(messaging: Messaging, useCase: ReturnType<typeof sendConfirmationUseCase>) {
  messaging.consume('order.order.paid', ['order.order.paid'], useCase.record, { prepare: useCase.prepare });
}
