import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LabSetupError } from './errors';
import { assertPortFree } from './ports';

export interface MailCatcher {
  smtpPort: number;
  webPort: number;
  /** The page where a person reads the caught mail; its REST API lives under /api. */
  webUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts MailDev in this process: an SMTP server that keeps every message, and a web page to read them.
 * Each catcher gets its own mail folder so that two of them (a lab and a test run) never share mail.
 */
export async function startMailCatcher(options: {
  smtpPort: number;
  webPort: number;
  checkPorts?: boolean;
}): Promise<MailCatcher> {
  if (options.checkPorts !== false) {
    await assertPortFree(options.smtpPort, 'mail catcher SMTP', 'SMTP_PORT');
    await assertPortFree(options.webPort, 'mail catcher web page', 'MAIL_UI_PORT');
  }
  const { MailDev } = await import('maildev');
  const mailDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-lab-mail-'));
  const maildev = new MailDev({
    smtp: options.smtpPort,
    web: options.webPort,
    ip: '127.0.0.1',
    webIp: '127.0.0.1',
    silent: true,
    mailDirectory,
  });
  // MailDev announces its web API with console.info even when silent; the lab prints its own URLs (and a benchmark's
  // --json output must stay pure JSON), so that one line is held back while it starts.
  const info = console.info;
  console.info = (...args: unknown[]) => {
    if (!(typeof args[0] === 'string' && args[0].startsWith('MailDev API running at'))) info(...args);
  };
  try {
    await maildev.start();
  } catch (error) {
    throw new LabSetupError(
      `The mail catcher failed to start (${(error as Error).message}): check SMTP_PORT and MAIL_UI_PORT.`,
    );
  } finally {
    console.info = info;
  }
  return {
    smtpPort: options.smtpPort,
    webPort: options.webPort,
    webUrl: `http://127.0.0.1:${options.webPort}`,
    stop: async () => {
      await maildev.stop();
      fs.rmSync(mailDirectory, { recursive: true, force: true });
    },
  };
}

export interface CaughtMail {
  id: string;
  subject: string;
  time: string;
  to: { address: string; name?: string }[];
  from: { address: string; name?: string }[];
  text?: string;
}

/** Reads the mail catcher's REST API: what a test or the dashboard uses to see which emails really went out. */
export class Mailbox {
  constructor(readonly webUrl: string) {}

  async list(): Promise<CaughtMail[]> {
    const response = await fetch(`${this.webUrl}/api/email?limit=100000`);
    if (!response.ok) throw new Error(`mail catcher answered ${response.status}`);
    return (await response.json()) as CaughtMail[];
  }

  async clear(): Promise<void> {
    await fetch(`${this.webUrl}/api/email/all`, { method: 'DELETE' });
  }

  /** Polls until predicate holds for the list of mail, or throws after timeoutMs. */
  async waitFor(predicate: (mails: CaughtMail[]) => boolean, timeoutMs = 15000): Promise<CaughtMail[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mails = await this.list();
      if (predicate(mails)) return mails;
      if (Date.now() > deadline) throw new Error(`mail never arrived: ${mails.length} messages in the catcher`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
