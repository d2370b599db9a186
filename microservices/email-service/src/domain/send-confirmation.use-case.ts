import { confirmationSubject, type Logger } from '@checkout-lab/kit';
import { followEvent, type LabEvent, outbox, type Pool, type PoolClient } from '@checkout-lab/shared';
import type { Mailer } from '../data-access/mailer';
import { notificationRepository } from '../data-access/notification.repository';
import type { EmailKnobs } from './knobs';

export interface SendOutcome {
  sentAt: Date;
  startedAt: string;
  durationMs: number;
}

function messageFor(event: LabEvent<'order.order.paid'>): string {
  return `Your order #${event.payload.order_id} (${event.payload.total}) is confirmed. Thank you for shopping at Checkout Lab.`;
}

/**
 * LESSON: at-least-once meets the real world (docs/lessons-microservices.md#idempotent-consumers). An SMTP send
 * cannot join our database transaction. So: look for a recorded send first (skip the mail if one exists), send, log
 * the send at once (its own tiny commit), and only then record the notification and the email.email.sent event in
 * the consumer's transaction. A crash between the SMTP server's "250 OK" and that log line (a few ms) is the one
 * window in which a redelivery sends the mail twice; a crash anywhere else sends it once. Closing that window needs
 * the provider to dedupe on a key we give it (the order id); the catcher cannot.
 */
export function sendConfirmationUseCase(deps: { pool: Pool; mailer: Mailer; knobs: EmailKnobs; log: Logger }) {
  return {
    async prepare(event: LabEvent<'order.order.paid'>): Promise<SendOutcome> {
      const started = Date.now();
      const { order_id, user_email } = event.payload;
      const previous = await notificationRepository.previousSend(deps.pool, order_id);
      if (previous) {
        deps.log.info(
          { order_id, correlation_id: event.correlation_id },
          'confirmation already sent; not sending again',
        );
        return { sentAt: previous, startedAt: new Date(started).toISOString(), durationMs: 0 };
      }
      await new Promise((resolve) => setTimeout(resolve, deps.knobs.email_delay_ms));
      const { messageId } = await deps.mailer.send({
        to: user_email,
        subject: confirmationSubject('microservices', order_id),
        text: messageFor(event),
      });
      const sentAt = new Date();
      await notificationRepository.recordSend(deps.pool, {
        orderId: order_id,
        recipient: user_email,
        messageId,
        sentAt,
      });
      return { sentAt, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started };
    },

    async record(event: LabEvent<'order.order.paid'>, client: PoolClient, outcome: SendOutcome): Promise<void> {
      const { order_id, user_id } = event.payload;
      const notificationId = await notificationRepository.insertOnce(client, {
        orderId: order_id,
        userId: user_id,
        message: messageFor(event),
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
            name: 'send_email',
            started_at: outcome.startedAt,
            duration_ms: outcome.durationMs,
          },
        }),
      );
    },
  };
}
