import { setTimeout } from 'node:timers/promises';
import { openService, type RunningService, serve, serviceMessaging } from '@checkout-lab/shared';
import { createApp } from './app';
import type { EmailConfig } from './config';
import { smtpMailer } from './data-access/mailer';
import { migrations } from './data-access/notification.repository';
import { emailFaults, type EmailKnobs } from './domain/knobs';
import { sendConfirmationUseCase } from './domain/send-confirmation.use-case';
import { registerOrderPaidConsumer } from './entry-points/messaging/order-paid.consumer';

export type { RunningService };

const SERVICE = 'email-service';
/** How long sends in flight may still finish after SIGTERM; well inside the whole stop's grace period. */
const SEND_GRACE_MS = 500;

/**
 * Its database (created, migrated), the SMTP mailer, the order-paid consumer and the outbox relay, then HTTP on
 * EMAIL_PORT (0: a free port). Index.ts runs it as a process; tests may start it in theirs.
 */
export async function startEmailService(config: EmailConfig): Promise<RunningService> {
  const { log, pool } = await openService(SERVICE, config, migrations);
  // In memory: a restart goes back to the environment's value.
  const knobs: EmailKnobs = { email_delay_ms: config.EMAIL_DELAY_MS };
  const faults = emailFaults();
  const mailer = smtpMailer({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    timeoutMs: config.SMTP_TIMEOUT_MS,
    providerApiUrl: config.MAIL_UI_URL,
    faults: () => faults.values,
  });

  const messaging = serviceMessaging(SERVICE, config, pool, log);
  const stopping = new AbortController();
  registerOrderPaidConsumer(
    messaging,
    sendConfirmationUseCase({ pool, mailer, knobs, log, stopping: stopping.signal }),
  );
  await messaging.start(); // the consumer, and the outbox relay that publishes email.email.sent

  const app = createApp({
    log,
    internalSecret: config.INTERNAL_SECRET,
    pool,
    messaging,
    mailer,
    knobs,
    faults,
    mailUiUrl: config.MAIL_UI_URL,
  });
  return serve(app, {
    service: SERVICE,
    port: config.EMAIL_PORT,
    config,
    log,
    pool,
    messaging,
    // A send that SMTP has not accepted within SEND_GRACE_MS is abandoned: its message stays unacked, the broker
    // hands it out again (to another instance, or to this one after its restart), and the attempt row lets that
    // delivery ask the provider before sending again. A mail server that never answers must not keep it from stopping.
    onStop: async (consumersStopped) => {
      await Promise.race([consumersStopped, setTimeout(SEND_GRACE_MS)]);
      stopping.abort();
      mailer.close();
    },
  });
}
