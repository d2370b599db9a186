import crypto from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
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

// LESSON: Idempotent consumers (LESSONS.md#idempotent-consumers)
/**
 * At-least-once meets the real world: an SMTP send
 * cannot join our database transaction, so a crash can always fall between "the provider accepted the mail" and "we
 * wrote that down". The steps below make each crash point safe:
 *   1. a send already recorded (email_sends or notifications): do not send again;
 *   2. an attempt row without a recorded send: a previous delivery died mid-send and the outcome is unknown, so ask
 *      the provider whether it has the message (by the Message-ID we chose); if it does, record it, else send;
 *   3. otherwise write the attempt (its own commit), send with that Message-ID, record the send at once;
 * and only then the notification and email.email.sent are written in the consumer's transaction. If the provider
 * cannot be asked, the delivery fails and is retried later rather than guessing (a guess is a lost or a double mail).
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

  async function sendOnce(event: LabEvent<'order.order.paid'>): Promise<SendOutcome> {
    const started = Date.now();
    const startedAt = new Date(started).toISOString();
    const { order_id, user_email } = event.payload;
    const log = { order_id, correlation_id: event.correlation_id };
    const previous = await notificationRepository.previousSend(deps.pool, order_id);
    if (previous) {
      deps.log.info(log, 'confirmation already sent; not sending again');
      return { sentAt: previous, startedAt, durationMs: 0 };
    }
    // LESSON: Feel the wait (LESSONS.md#feel-the-wait). The slow email, as in the monolith, but after the buyer's
    // 202 and outside any transaction.
    await setTimeout(deps.knobs.email_delay_ms, undefined, { signal: deps.stopping });
    const messageId = `<order-${order_id}.${crypto.randomUUID()}@checkout.lab>`;
    const unsettled = await notificationRepository.startAttempt(deps.pool, order_id, messageId);
    if (unsettled && (await deps.mailer.wasDelivered(unsettled))) {
      deps.log.warn(log, 'a crash interrupted the previous send; the provider has the mail, so it is not sent again');
      const sentAt = new Date();
      await notificationRepository.recordSend(deps.pool, {
        orderId: order_id,
        recipient: user_email,
        messageId: unsettled,
        sentAt,
      });
      return { sentAt, startedAt, durationMs: Date.now() - started };
    }
    const id = unsettled ?? messageId;
    await deps.mailer.send({
      to: user_email,
      subject: confirmationSubject('microservices', order_id),
      text: messageFor(event),
      messageId: id,
    });
    const sentAt = new Date();
    await notificationRepository.recordSend(deps.pool, {
      orderId: order_id,
      recipient: user_email,
      messageId: id,
      sentAt,
    });
    return { sentAt, startedAt, durationMs: Date.now() - started };
  }

  return {
    prepare(event: LabEvent<'order.order.paid'>): Promise<SendOutcome> {
      const orderId = event.payload.order_id;
      const current = sending.get(orderId);
      if (current) return current.catch(() => sendOnce(event));
      const attempt = sendOnce(event).finally(() => sending.delete(orderId));
      sending.set(orderId, attempt);
      return attempt;
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
