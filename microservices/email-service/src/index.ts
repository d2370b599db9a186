import { closeServer, listen, runService, type Stoppable, openService, serviceMessaging } from '@checkout-lab/shared';
import { createApp } from './app';
import { readConfig } from './config';
import { smtpMailer } from './data-access/mailer';
import { migrations } from './data-access/notification.repository';
import type { EmailKnobs } from './domain/knobs';
import { sendConfirmationUseCase } from './domain/send-confirmation.use-case';
import { registerOrderPaidConsumer } from './entry-points/messaging/order-paid.consumer';

const SERVICE = 'email-service';

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
  registerOrderPaidConsumer(messaging, sendConfirmationUseCase({ pool, mailer, knobs, log }));
  await messaging.start();

  const app = createApp({
    pool,
    messaging,
    log,
    knobs,
    mailUiUrl: config.MAIL_UI_URL,
    internalSecret: config.INTERNAL_SECRET,
  });
  const server = await listen(app, config.EMAIL_PORT, config.BIND_HOST);
  log.info({ port: config.EMAIL_PORT, db: config.DB_NAME }, 'email-service listening');

  return {
    async stop() {
      log.info('stopping: no new deliveries, finishing in-flight sends');
      await closeServer(server);
      await messaging.stop();
      mailer.close();
      await pool.end();
    },
  };
}

runService(SERVICE, main);
