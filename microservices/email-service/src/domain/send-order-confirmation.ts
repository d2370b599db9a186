import crypto from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import { confirmationSubject, type Logger } from '@checkout-lab/kit';
import type { Pool } from '@checkout-lab/shared';
import type { Mailer } from '../data-access/mailer';
import { notificationRepository } from '../data-access/notification.repository';

export interface SendOutcome {
  sentAt: Date;
  startedAt: string;
  durationMs: number;
}

/** The confirmation's text, in the mail and in the notification. */
export function confirmationText(order: { orderId: number; total: string }): string {
  return `Your order #${order.orderId} (${order.total}) is confirmed. Thank you for shopping at Checkout Lab.`;
}

// LESSON: Feel the wait (LESSONS.md#feel-the-wait). The slow email, as in the monolith's sendOrderConfirmation, but
// after the buyer's 202 and outside any transaction.
/**
 * Waits email_delay_ms (a slow mail provider), then hands the confirmation to SMTP, at most once per order as far as
 * a crash allows. An SMTP send cannot join a database transaction, so a crash can always fall between "the provider
 * accepted the mail" and "we wrote that down"; each crash point is made safe:
 *   1. a send already recorded (email_sends or notifications): do not send again;
 *   2. an attempt row without a recorded send: a previous delivery died mid-send and the outcome is unknown, so ask
 *      the provider whether it has the message (by the Message-ID we chose); if it does, record it, else send;
 *   3. otherwise write the attempt (its own commit), send with that Message-ID, record the send at once.
 * If the provider cannot be asked, this rejects and the delivery is retried later rather than guessing (a guess is a
 * lost or a double mail).
 */
export async function sendOrderConfirmation(
  deps: {
    pool: Pool;
    mailer: Mailer;
    log: Logger;
    /** Aborted when the service stops: a send still in its simulated delay gives up. */
    stopping?: AbortSignal;
  },
  options: { delayMs: number; to: string; orderId: number; total: string; correlationId: string },
): Promise<SendOutcome> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const { orderId, to } = options;
  const log = { order_id: orderId, correlation_id: options.correlationId };
  /** Writes the send down as soon as the provider has the mail. */
  const recorded = async (messageId: string): Promise<SendOutcome> => {
    const sentAt = new Date();
    await notificationRepository.recordSend(deps.pool, { orderId, recipient: to, messageId, sentAt });
    return { sentAt, startedAt, durationMs: Date.now() - started };
  };

  const previous = await notificationRepository.previousSend(deps.pool, orderId);
  if (previous) {
    deps.log.info(log, 'confirmation already sent; not sending again');
    return { sentAt: previous, startedAt, durationMs: 0 };
  }
  await setTimeout(options.delayMs, undefined, { signal: deps.stopping });
  const messageId = `<order-${orderId}.${crypto.randomUUID()}@checkout.lab>`;
  const unsettled = await notificationRepository.startAttempt(deps.pool, orderId, messageId);
  if (unsettled && (await deps.mailer.wasDelivered(unsettled))) {
    deps.log.warn(log, 'a crash interrupted the previous send; the provider has the mail, so it is not sent again');
    return recorded(unsettled);
  }
  const id = unsettled ?? messageId;
  await sendMail(deps.mailer, options, id);
  return recorded(id);
}

/** One confirmation mail handed to SMTP, under the Message-ID the caller chose. */
function sendMail(mailer: Mailer, options: { to: string; orderId: number; total: string }, messageId: string) {
  return mailer.send({
    to: options.to,
    subject: confirmationSubject('microservices', options.orderId),
    text: confirmationText(options),
    messageId,
  });
}

// LESSON: Switch off idempotent consumers (LESSONS.md#switch-off-idempotent-consumers)
/**
 * sendOrderConfirmation as it would be written
 * without idempotency, run while idempotent consumers are switched off: wait, send, write the send down. No look at
 * what an earlier delivery sent, no attempt row: every delivery of the same order.order.paid is one more mail in the
 * buyer's inbox, and a mail once sent cannot be taken back.
 */
export async function sendOrderConfirmationEveryTime(
  deps: { pool: Pool; mailer: Mailer; stopping?: AbortSignal },
  options: { delayMs: number; to: string; orderId: number; total: string },
): Promise<SendOutcome> {
  const started = Date.now();
  await setTimeout(options.delayMs, undefined, { signal: deps.stopping });
  const messageId = `<order-${options.orderId}.${crypto.randomUUID()}@checkout.lab>`;
  await sendMail(deps.mailer, options, messageId);
  const sentAt = new Date();
  await notificationRepository.recordSend(deps.pool, {
    orderId: options.orderId,
    recipient: options.to,
    messageId,
    sentAt,
  });
  return { sentAt, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started };
}
