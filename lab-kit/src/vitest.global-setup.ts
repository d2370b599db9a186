import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertPostgresReachable, type PostgresServer, startEmbeddedPostgres } from './postgres';
import { freePort } from './ports';
import { testServerUrl } from './testing';

let embedded: PostgresServer | undefined;
let embeddedDir: string | undefined;

/**
 * Tests need a PostgreSQL server to create their databases on. Use the configured or local one when it answers;
 * otherwise start an embedded server for this run, so `npm test` works on a machine with no PostgreSQL at all.
 */
export async function setup(): Promise<void> {
  const url = testServerUrl();
  try {
    await assertPostgresReachable(url, '');
    return;
  } catch {
    if (process.env.TEST_DATABASE_URL || process.env.DATABASE_URL)
      throw new Error(`PostgreSQL at ${url} does not answer`);
  }
  embeddedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-lab-test-pg-'));
  console.log(`No PostgreSQL at ${url}: starting an embedded server for this test run in ${embeddedDir}`);
  embedded = await startEmbeddedPostgres({ dataDir: path.join(embeddedDir, 'data'), port: await freePort() });
  process.env.TEST_DATABASE_URL = embedded.adminUrl;
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
  if (embeddedDir) fs.rmSync(embeddedDir, { recursive: true, force: true });
}
