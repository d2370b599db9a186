import {
  DATABASE_NAMES,
  dropDatabase,
  type Knobs,
  type TestMail,
  startTestMailCatcher,
  testAmqpUrl,
  testServerUrl,
  uniqueName,
} from '@checkout-lab/kit';
import { deleteBrokerObjects } from '@checkout-lab/shared';
import {
  type MicroStack,
  SERVICE_NAMES,
  serviceExists,
  startMicroservices,
} from '../../microservices/shared/src/stack';

export interface TestMicroservices {
  stack: MicroStack;
  mail: TestMail;
  admin: { email: string; password: string };
  jwtSecret: string;
  stop(): Promise<void>;
}

/** True once every service folder has its entry point: until then the microservices' suites are skipped. */
export const everyServiceExists = SERVICE_NAMES.every((name) => serviceExists(name));

/**
 * The whole microservices stack of a test's own: seven processes on free ports, databases <prefix>_users ...,
 * RABBIT_PREFIX=<prefix>, a mail catcher of its own. stop() kills every process and removes the databases and the
 * broker's queues and exchange of this run.
 */
export async function startTestMicroservices(knobs: Partial<Knobs> = {}): Promise<TestMicroservices> {
  const amqpUrl = await testAmqpUrl();
  const serverUrl = testServerUrl();
  const prefix = uniqueName('ct');
  const mail = await startTestMailCatcher();
  const admin = { email: 'contract.admin@checkout.lab', password: 'contract-admin-pw' };
  const jwtSecret = 'contract-microservices-secret';
  const cleanup = async () => {
    await mail.stop();
    for (const key of Object.keys(DATABASE_NAMES)) await dropDatabase(serverUrl, `${prefix}_${key}`).catch(() => {});
    // Queue names come from `rabbitmqctl list_queues`, which can time out on a loaded machine: a second pass
    // removes what the first one could not list.
    for (let pass = 0; pass < 2; pass++) await deleteBrokerObjects(amqpUrl, prefix).catch(() => {});
  };
  let stack: MicroStack;
  try {
    stack = await startMicroservices({
      serverUrl,
      amqpUrl,
      smtpPort: mail.smtpPort,
      mailUiUrl: mail.webUrl,
      namePrefix: prefix,
      knobs: { payment_delay_ms: 30, email_delay_ms: 30, payment_failure_rate: 0, ...knobs },
      env: {
        JWT_SECRET: jwtSecret,
        LAB_ADMIN_EMAIL: admin.email,
        LAB_ADMIN_PASSWORD: admin.password,
        LOG_LEVEL: 'warn',
        // Many buyers register from one address in these tests.
        AUTH_RATE_LIMIT: '1000000',
        BCRYPT_ROUNDS: '4',
        // Seven processes per stack, and other test runs share the server's 100 connections: keep pools small.
        DB_POOL_SIZE: '4',
      },
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    stack,
    mail,
    admin,
    jwtSecret,
    stop: async () => {
      await stack.stop();
      await cleanup();
    },
  };
}
