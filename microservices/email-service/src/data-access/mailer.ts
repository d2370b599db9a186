import { createSmtpTransport, type SmtpFaults, type SmtpHealth } from '@checkout-lab/kit';

export interface Mailer {
  send(mail: { to: string; subject: string; text: string; messageId: string }): Promise<{ messageId: string | null }>;
  /**
   * Asks the mail provider whether it received a message with this Message-ID: true, false, or an error when it
   * cannot tell. Used only to settle a send whose outcome a crash left unknown.
   */
  wasDelivered(messageId: string): Promise<boolean>;
  /** The mail server's state as the sends saw it: "failing" while they fail (or one waits too long). */
  health(): SmtpHealth;
  /** Sends still in flight fail at once; later ones fail too. */
  close(): void;
}

// LESSON: A transaction is not a timeout (LESSONS.md#a-transaction-is-not-a-timeout)
/**
 * Real SMTP through nodemailer to the lab's mail catcher. A refused or timed-out send throws, at the latest after
 * timeoutMs (lab-kit's transport enforces that deadline; connecting and the greeting get half of it each).
 */
export function smtpMailer(options: {
  host: string;
  port: number;
  timeoutMs: number;
  providerApiUrl: string;
  /** The lab's mail faults (docs/api.md, "Faults"), read at every send. */
  faults?: () => SmtpFaults;
}): Mailer {
  const transport = createSmtpTransport({
    host: options.host,
    port: options.port,
    timeoutMs: Math.ceil(options.timeoutMs / 2),
    sendTimeoutMs: options.timeoutMs,
    faults: options.faults,
  });
  return {
    async send(mail) {
      const info = await transport.sendMail({ from: 'shop@checkout.lab', ...mail });
      return { messageId: info.messageId ?? null };
    },
    // The lab's provider is the mail catcher: its REST API lists what it received, with the headers. A real provider
    // offers the same kind of lookup by the idempotency key or Message-ID the sender chose.
    async wasDelivered(messageId) {
      const response = await fetch(`${options.providerApiUrl}/api/email?limit=100000`, {
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (!response.ok) throw new Error(`mail provider lookup answered ${response.status}`);
      const mails = (await response.json()) as { headers?: Record<string, string> }[];
      return mails.some((mail) => mail.headers?.['message-id'] === messageId);
    },
    health: () => transport.health(),
    close: () => transport.close(),
  };
}
