import type { Messaging } from '@checkout-lab/shared';
import type { processPaymentUseCase } from '../../domain/process-payment.use-case';

export function registerPaymentRequestedConsumer(
  messaging: Messaging,
  useCase: ReturnType<typeof processPaymentUseCase>,
): void {
  messaging.consume('order.payment.requested', useCase.record, {
    prepare: useCase.prepare,
    beforeAck: useCase.afterRecorded,
    withoutDedup: { prepare: useCase.prepareWithoutDedup, handler: useCase.recordWithoutDedup },
  });
}
