import { setTimeout } from 'node:timers/promises';
import { closeServer, listen, runService, type Stoppable, openService, serviceMessaging } from '@checkout-lab/shared';
import { createApp } from './app';
import { readConfig } from './config';
import { smtpMailer } from './data-access/mailer';
import { migrations } from './data-access/notification.repository';
import type { EmailKnobs } from './domain/knobs';
import { sendConfirmationUseCase } from './domain/send-confirmation.use-case';
import { registerOrderPaidConsumer } from './entry-points/messaging/order-paid.consumer';

const SERVICE = 'email-service';
/** How long sends in flight may still finish after SIGTERM; well inside the whole stop's grace period. */
const SEND_GRACE_MS = 500;

async function main(): Promise<Stoppable> {
  const config = readConfig();
  const { log, pool } = await openService(SERVICE, config, migrations);
  const knobs: EmailKnobs = { email_delay_ms: config.EMAIL_DELAY_MS };
  const mailer = smtpMailer({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    timeoutMs: config.SMTP_TIMEOUT_MS,
    providerApiUrl: config.MAIL_UI_URL,
  });
  const messaging = serviceMessaging(SERVICE, config, pool, log);
  const stopping = new AbortController();
  registerOrderPaidConsumer(
    messaging,
    sendConfirmationUseCase({ pool, mailer, knobs, log, stopping: stopping.signal }),
  );
  await messaging.start();

  const app = createApp({
    pool,
    messaging,
    mailer,
    log,
    knobs,
    mailUiUrl: config.MAIL_UI_URL,
    internalSecret: config.INTERNAL_SECRET,
  });
  const server = await listen(app, config.EMAIL_PORT, config.BIND_HOST);
  log.info({ port: config.EMAIL_PORT, db: config.DB_NAME }, 'email-service listening');

  return {
    async stop() {
      log.info('stopping: no new deliveries; in-flight sends get a moment, then they are cut short');
      await closeServer(server);
      const consumersDone = messaging.stop();
      // A send that SMTP has not accepted by then is abandoned: its message stays unacked, the broker hands it out
      // again (to another instance, or to this one after its restart), and the attempt row lets that delivery ask
      // the provider before sending again. A mail server that never answers must not keep the service from stopping.
      await Promise.race([consumersDone, setTimeout(SEND_GRACE_MS)]);
      stopping.abort();
      mailer.close();
      await consumersDone;
      await pool.end();
      log.info('email-service stopped');
    },
  };
}

runService(SERVICE, main);
