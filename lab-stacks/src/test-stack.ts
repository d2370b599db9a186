import { DATABASE_NAMES, DEV_INTERNAL_SECRET, dropDatabase, type Knobs } from '@checkout-lab/kit';
import {
  type TestMail,
  startTestMailCatcher,
  testAmqpUrl,
  testPaymentProvider,
  testServerUrl,
  uniqueName,
} from '@checkout-lab/kit/testing';
import { internalAuth } from '@checkout-lab/shared';
import { deleteBrokerObjects } from './broker-cleanup';
import { type MicroStack, type ServiceName, startMicroservices } from './microservices';

/** The admin every test stack seeds, and the secret its tokens are signed with. */
export const TEST_ADMIN = { email: 'test.admin@checkout.lab', password: 'test-admin-pw' } as const;
export const TEST_JWT_SECRET = 'microservices-test-secret';
/** The INTERNAL_SECRET of every test stack (a service started in-process from its defaults has DEV_INTERNAL_SECRET). */
export const TEST_INTERNAL_SECRET = 'microservices-test-internal-secret';

/**
 * Headers for a test that calls a service directly, as the gateway or a peer would: the
 * internal token naming the caller and, when given, the buyer. Bare x-user-* headers make an anonymous call.
 * The secret defaults to the one a service started from its config defaults verifies with.
 */
export function internalHeaders(
  who?: { userId: number; email?: string; isAdmin?: boolean } | null,
  options: { secret?: string; caller?: string } = {},
): Record<string, string> {
  const auth = internalAuth(options.caller ?? 'api-gateway', options.secret ?? DEV_INTERNAL_SECRET);
  return auth.headers(who ? { userId: who.userId, email: who.email ?? '', isAdmin: who.isAdmin ?? false } : null);
}

export interface TestStackOptions {
  /** Short label for the names of this run's databases and broker objects (`<label>_<pid>_<hex>`). */
  label?: string;
  knobs?: Partial<Knobs>;
  env?: NodeJS.ProcessEnv;
  /** Start only these services (default: all seven). */
  only?: ServiceName[];
  /** A mail catcher to send to; by default the stack gets one of its own, or none when smtpPort is given. */
  mail?: TestMail;
  smtpPort?: number;
}

export interface TestStack {
  stack: MicroStack;
  gateway: string;
  /** The stack's own mail catcher (or the one passed in); null when it sends to a bare smtpPort. */
  mail: TestMail | null;
  admin: { email: string; password: string };
  jwtSecret: string;
  /** The stack's INTERNAL_SECRET, for internalHeaders(who, { secret }) in a test that calls a service directly. */
  internalSecret: string;
  amqpUrl: string;
  serverUrl: string;
  prefix: string;
  stop(): Promise<void>;
}

/**
 * The microservices of one test run: processes on free ports, databases `<prefix>_orders` ..., broker names under
 * `<prefix>.`, a mail catcher of its own, small pools (seven processes per stack share the server's connections with
 * other runs), fast bcrypt and no login rate limit. stop() kills every process and removes the databases, the
 * broker's queues and exchange, and the catcher it started.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const amqpUrl = await testAmqpUrl();
  const serverUrl = testServerUrl();
  const prefix = uniqueName(options.label ?? 'ms');
  const ownMail = options.mail || options.smtpPort ? null : await startTestMailCatcher();
  const mail = options.mail ?? ownMail;
  const cleanup = async () => {
    await ownMail?.stop().catch(() => {});
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
      smtpPort: mail?.smtpPort ?? options.smtpPort ?? 1,
      mailUiUrl: mail?.webUrl,
      namePrefix: prefix,
      only: options.only,
      knobs: { payment_delay_ms: 20, email_delay_ms: 20, payment_failure_rate: 0, ...options.knobs },
      env: {
        JWT_SECRET: TEST_JWT_SECRET,
        INTERNAL_SECRET: TEST_INTERNAL_SECRET,
        LAB_ADMIN_EMAIL: TEST_ADMIN.email,
        LAB_ADMIN_PASSWORD: TEST_ADMIN.password,
        LOG_LEVEL: process.env.TEST_LOG ?? 'warn',
        AUTH_RATE_LIMIT: '1000000',
        BCRYPT_ROUNDS: '4',
        DB_POOL_SIZE: '4',
        // The run's card provider (the vitest global setup), this stack a merchant of its own there.
        PAYMENT_PROVIDER_URL: testPaymentProvider(prefix).url,
        PAYMENT_MERCHANT: prefix,
        ...options.env,
      },
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    stack,
    gateway: stack.gatewayUrl,
    mail,
    admin: { ...TEST_ADMIN },
    jwtSecret: TEST_JWT_SECRET,
    internalSecret: options.env?.INTERNAL_SECRET ?? TEST_INTERNAL_SECRET,
    amqpUrl,
    serverUrl,
    prefix,
    stop: async () => {
      await stack.stop();
      await cleanup();
    },
  };
}
