import { confirmationSubject, createSmtpTransport } from '@checkout-lab/kit';
import type { Transporter } from 'nodemailer';
import { sleep } from '../../../shared/sleep';

export const SHOP_SENDER = 'shop@checkout.lab';

/** The transport to the mail catcher: pooled plain SMTP with short timeouts (lab-kit's createSmtpTransport). */
export function createMailer(host: string, port: number): Transporter {
  return createSmtpTransport({ host, port });
}

/**
 * Waits email_delay_ms (a slow mail provider), then hands the confirmation to SMTP for real.
 * Resolves with the moment SMTP accepted the message; rejects when it did not.
 * LESSON: What happens when email fails. The caller runs this inside the checkout transaction, so an SMTP failure
 * takes the whole order down with it.
 */
export async function sendOrderConfirmation(
  mailer: Transporter,
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
