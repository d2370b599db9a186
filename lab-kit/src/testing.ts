import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import crypto from 'node:crypto';
import { databaseUrl, dropDatabase, ensureDatabase } from './postgres';
import { type MailCatcher, Mailbox, startMailCatcher } from './mail';
import { DEFAULT_PAYMENT_TIMEOUT_MS, type PaymentProvider } from './payment-provider';
import { freePort } from './ports';
import { DEFAULT_AMQP_URL, assertRabbitReachable } from './rabbit';

/**
 * The PostgreSQL server tests create their databases on: TEST_DATABASE_URL, else DATABASE_URL, else the local server
 * on 5432. The root vitest global setup starts an embedded server when none of those answers, and sets
 * TEST_DATABASE_URL for the workers.
 */
export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** A name no other run uses: prefix, the pid and random hex. Fits database, queue and exchange names. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${crypto.randomBytes(3).toString('hex')}`.toLowerCase();
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database of the test's own; drop() removes it. */
export async function createTestDatabase(prefix = 'lab_test'): Promise<TestDatabase> {
  const server = testServerUrl();
  const name = uniqueName(prefix);
  await ensureDatabase(server, name);
  return { name, url: databaseUrl(server, name), drop: () => dropDatabase(server, name) };
}

export interface TestMail extends MailCatcher {
  mailbox: Mailbox;
}

/** A mail catcher of the test's own on free ports. */
export async function startTestMailCatcher(): Promise<TestMail> {
  const catcher = await startMailCatcher({ smtpPort: await freePort(), webPort: await freePort(), checkPorts: false });
  return { ...catcher, mailbox: new Mailbox(catcher.webUrl) };
}

/** The broker tests use (AMQP_URL or the local default), checked to answer. */
export async function testAmqpUrl(): Promise<string> {
  const url = process.env.AMQP_URL ?? DEFAULT_AMQP_URL;
  await assertRabbitReachable(url);
  return url;
}

/**
 * The card provider of this test run (started once by the root vitest global setup) with a merchant of the test's
 * own, so that two shops' order 1 are two charges. merchant: a name unique to the shop, such as its database's.
 */
export function testPaymentProvider(merchant: string): PaymentProvider {
  const url = process.env.TEST_PAYMENT_PROVIDER_URL;
  if (!url)
    throw new Error(
      'TEST_PAYMENT_PROVIDER_URL is unset: run the tests through vitest, whose global setup starts the provider',
    );
  return { url, merchant, timeoutMs: DEFAULT_PAYMENT_TIMEOUT_MS };
}

/**
 * A command run as a person runs it, in a child process, with everything it prints (stdout and stderr, in order)
 * kept for the test to search and to show when it fails.
 */
export function runCollecting(
  command: string,
  args: string[],
  options: Omit<SpawnOptions, 'stdio'>,
): { child: ChildProcess; exited: Promise<number | null>; output(): string } {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}
