import type { Server } from 'node:http';
import { createLogger, LabSetupError } from '@checkout-lab/kit';
import { connectDatabase, Messaging, migrate } from '@checkout-lab/shared';
import { createApp } from './app';
import { readConfig } from './config';
import { smtpMailer } from './data-access/mailer';
import { migrations } from './data-access/notification.repository';
import type { EmailKnobs } from './domain/knobs';
import { sendConfirmationUseCase } from './domain/send-confirmation.use-case';
import { registerOrderPaidConsumer } from './entry-points/messaging/order-paid.consumer';

const SERVICE = 'email-service';

async function main(): Promise<void> {
  const config = readConfig();
  const log = createLogger(SERVICE, config.LOG_LEVEL);
  const { pool } = await connectDatabase({
    serverUrl: config.DATABASE_URL,
    dbName: config.DB_NAME,
    poolSize: config.DB_POOL_SIZE,
  });
  await migrate(pool, migrations);
  const knobs: EmailKnobs = { email_delay_ms: config.EMAIL_DELAY_MS };
  const mailer = smtpMailer({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    timeoutMs: config.SMTP_TIMEOUT_MS,
    providerApiUrl: config.MAIL_UI_URL,
  });
  const messaging = new Messaging({
    amqpUrl: config.AMQP_URL,
    rabbitPrefix: config.RABBIT_PREFIX,
    service: SERVICE,
    pool,
    log,
    outboxPollMs: config.OUTBOX_POLL_MS,
  });
  registerOrderPaidConsumer(messaging, sendConfirmationUseCase({ pool, mailer, knobs, log }));
  await messaging.start();

  const app = createApp({ pool, messaging, log, knobs, mailUiUrl: config.MAIL_UI_URL });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(config.EMAIL_PORT, '0.0.0.0', () => resolve(listening));
  });
  log.info({ port: config.EMAIL_PORT, db: config.DB_NAME }, 'email-service listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: no new deliveries, finishing in-flight sends');
    await new Promise((resolve) => server.close(resolve));
    await messaging.stop();
    mailer.close();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(error instanceof LabSetupError ? error.message : `email-service failed to start: ${error}`);
  process.exit(1);
});
