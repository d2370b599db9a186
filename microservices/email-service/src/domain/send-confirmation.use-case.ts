import type { Logger } from '@checkout-lab/kit';
import { followEvent, type LabEvent, outbox, type Pool, type PoolClient } from '@checkout-lab/shared';
import type { Mailer } from '../data-access/mailer';
import { notificationRepository } from '../data-access/notification.repository';
import type { EmailKnobs } from './knobs';
import {
  confirmationText,
  type SendOutcome,
  sendOrderConfirmation,
  sendOrderConfirmationEveryTime,
} from './send-order-confirmation';

// LESSON: Idempotent consumers (LESSONS.md#idempotent-consumers)
/**
 * Steps 9_send_email and 10_create_notification, on order.order.paid. At-least-once meets the real world: prepare()
 * sends the mail (sendOrderConfirmation, which makes each crash point safe), outside any transaction; only then
 * record() writes the notification and email.email.sent in the consumer's transaction, once per order.
 */
export function sendConfirmationUseCase(deps: {
  pool: Pool;
  mailer: Mailer;
  knobs: EmailKnobs;
  log: Logger;
  /** Aborted when the service stops: a delivery still in its simulated delay gives up, and the broker redelivers it. */
  stopping?: AbortSignal;
}) {
  // After a broker reconnect the same message can be redelivered while the first delivery is still sending: the
  // second waits for the first instead of racing it.
  const sending = new Map<number, Promise<SendOutcome>>();

  const mailOf = (event: LabEvent<'order.order.paid'>) => ({
    delayMs: deps.knobs.email_delay_ms,
    to: event.payload.user_email,
    orderId: event.payload.order_id,
    total: event.payload.total,
    correlationId: event.correlation_id,
  });
  const sendOnce = (event: LabEvent<'order.order.paid'>): Promise<SendOutcome> =>
    sendOrderConfirmation(deps, mailOf(event));

  return {
    prepare(event: LabEvent<'order.order.paid'>): Promise<SendOutcome> {
      const orderId = event.payload.order_id;
      const current = sending.get(orderId);
      if (current) return current.catch(() => sendOnce(event));
      const attempt = sendOnce(event).finally(() => sending.delete(orderId));
      sending.set(orderId, attempt);
      return attempt;
    },

    /**
     * The naive prepare, while idempotent consumers are switched off: every delivery sends (record() still writes
     * one notification per order: that row is the shop's, the mail is the buyer's).
     */
    prepareWithoutDedup(event: LabEvent<'order.order.paid'>): Promise<SendOutcome> {
      return sendOrderConfirmationEveryTime(deps, mailOf(event));
    },

    async record(event: LabEvent<'order.order.paid'>, client: PoolClient, outcome: SendOutcome): Promise<void> {
      const { order_id, user_id, total } = event.payload;
      const notificationId = await notificationRepository.insertOnce(client, {
        orderId: order_id,
        userId: user_id,
        message: confirmationText({ orderId: order_id, total }),
        sentAt: outcome.sentAt,
      });
      if (notificationId === null) return;
      await outbox.add(
        client,
        followEvent(event, 'email.email.sent', {
          order_id,
          notification_id: notificationId,
          sent_at: outcome.sentAt.toISOString(),
          timing: {
            service: 'email-service',
            name: '9_send_email',
            started_at: outcome.startedAt,
            duration_ms: outcome.durationMs,
          },
        }),
      );
    },
  };
}
