import nodemailer from 'nodemailer';

export interface Mailer {
  send(mail: { to: string; subject: string; text: string }): Promise<{ messageId: string | null }>;
  close(): void;
}

/** Real SMTP through nodemailer to the lab's mail catcher. A refused or timed-out send throws. */
export function smtpMailer(options: { host: string; port: number; timeoutMs: number }): Mailer {
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 5,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  return {
    async send(mail) {
      const info = await transport.sendMail({ from: 'shop@checkout.lab', ...mail });
      return { messageId: info.messageId ?? null };
    },
    close: () => transport.close(),
  };
}
