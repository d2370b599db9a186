import type { Messaging } from '@checkout-lab/shared';
import type { sendConfirmationUseCase } from '../../domain/send-confirmation.use-case';

// LESSON: What happens when email fails (LESSONS.md#what-happens-when-email-fails). A send that fails throws: the
// broker retries the delivery with backoff, then parks it in email-service.dlq; the order stays paid.
export function registerOrderPaidConsumer(messaging: Messaging, useCase: ReturnType<typeof sendConfirmationUseCase>) {
  messaging.consume('order.order.paid', useCase.record, {
    prepare: useCase.prepare,
    withoutDedup: { prepare: useCase.prepareWithoutDedup, handler: useCase.record },
  });
}
