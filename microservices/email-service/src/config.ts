import { DEFAULT_KNOBS } from '@checkout-lab/kit';
import { env, loadConfig as load, serviceConfig } from '@checkout-lab/shared';
import type { z } from 'zod';

/** email-service's environment, validated once at start; the only file that reads process.env. */
const schema = serviceConfig({
  /** The port it listens on (8003; 0: any free port). */
  EMAIL_PORT: env.port('EMAIL_PORT'),
  /** Its own database (checkout_emails): the notifications, the send attempts, and the outbox of email.email.sent. */
  ...serviceConfig.database('emails'),
  ...serviceConfig.broker(),
  OUTBOX_POLL_MS: env.ms(200),
  /** The mail catcher's SMTP server. */
  SMTP_HOST: env.smtpHost(),
  SMTP_PORT: env.smtpPort(),
  /** The catcher's web URL: a lab reset deletes this stack's confirmation mail there. */
  MAIL_UI_URL: env.mailUiUrl(),
  /** The simulated slow email provider, in ms before the real SMTP send; changed by PUT /internal/lab/config. */
  EMAIL_DELAY_MS: env.ms(DEFAULT_KNOBS.email_delay_ms),
  /** How long one SMTP send may take before it counts as failed (and is retried). */
  SMTP_TIMEOUT_MS: env.ms(10_000),
});

export type EmailConfig = z.infer<typeof schema>;

export function loadConfig(source: Record<string, string | undefined> = process.env): EmailConfig {
  return load(schema, source);
}
