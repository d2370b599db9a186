import { confirmationSubject, createSmtpTransport, type SmtpFaults, type SmtpTransport } from '@checkout-lab/kit';
import { sleep } from '../../../shared/sleep';

export const SHOP_SENDER = 'shop@checkout.lab';

/**
 * The transport to the mail catcher: pooled plain SMTP (lab-kit's createSmtpTransport). Each stage of a send gets
 * 5 s and the send as a whole 10 s, so a dead or wedged server fails step 9 instead of hanging the checkout.
 * `faults` are the lab's mail faults (docs/api.md, "Faults"), read at every send.
 */
export function createMailer(host: string, port: number, faults?: () => SmtpFaults): SmtpTransport {
  return createSmtpTransport({ host, port, timeoutMs: 5000, faults });
}

// LESSON: What happens when email fails (LESSONS.md#what-happens-when-email-fails)
/**
 * Waits email_delay_ms (a slow mail provider), then hands the confirmation to SMTP for real.
 * Resolves with the moment SMTP accepted the message; rejects when it did not.
 * The caller runs this inside the checkout transaction, so an SMTP failure
 * takes the whole order down with it.
 */
export async function sendOrderConfirmation(
  mailer: SmtpTransport,
  options: {
    delayMs: number;
    to: string;
    fullName: string;
    orderId: number;
    total: string;
    items: { name: string; quantity: number; unit_price: string }[];
  },
): Promise<Date> {
  await sleep(options.delayMs);
  const lines = options.items.map((item) => `  ${item.quantity} x ${item.name} at ${item.unit_price}`);
  // LESSON: A transaction is not a timeout (LESSONS.md#a-transaction-is-not-a-timeout). The checkout transaction
  // holds its row locks for as long as this send takes and has no deadline of its own: the bound is the transport's
  // (every send settles within 10 s), so a mail server that never answers costs the buyer a 503, not the shop its locks.
  await mailer.sendMail({
    from: SHOP_SENDER,
    to: options.to,
    subject: confirmationSubject('monolith', options.orderId),
    text: [
      `Hello ${options.fullName},`,
      '',
      `thank you for your order #${options.orderId}.`,
      ...lines,
      `Total: ${options.total}`,
      '',
      'Checkout Lab (monolith)',
    ].join('\n'),
  });
  return new Date();
}
