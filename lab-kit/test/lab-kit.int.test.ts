import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  LabSetupError,
  assertPortFree,
  assertRabbitReachable,
  createSmtpTransport,
  freePort,
  startEmbeddedPostgres,
} from '../src';
import { createTestDatabase, startTestMailCatcher } from '../src/testing-entry';

describe('lab-kit', () => {
  it('when a test database is created, then it accepts queries and drop removes it', async () => {
    const db = await createTestDatabase('kit_test');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query('SELECT current_database() AS name');
    await client.end();
    expect(rows[0].name).toBe(db.name);
    await db.drop();
  });

  it('when mail is sent over SMTP, then the catcher shows it and clear empties it', async () => {
    const mail = await startTestMailCatcher();
    try {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: mail.smtpPort, ignoreTLS: true });
      await transport.sendMail({
        from: 'shop@lab.test',
        to: 'buyer@lab.test',
        subject: 'Order 42 confirmed',
        text: 'x',
      });
      const mails = await mail.mailbox.waitFor((m) => m.length === 1);
      expect(mails[0].subject).toBe('Order 42 confirmed');
      await mail.mailbox.clear();
      expect(await mail.mailbox.list()).toHaveLength(0);
    } finally {
      await mail.stop();
    }
  });

  it("when the lab's SMTP transport sends twice, then both arrive; when nothing listens, then it rejects", async () => {
    const mail = await startTestMailCatcher();
    const transport = createSmtpTransport({ host: '127.0.0.1', port: mail.smtpPort });
    try {
      for (const n of [1, 2]) {
        await transport.sendMail({
          from: 'shop@lab.test',
          to: 'b@lab.test',
          subject: `Order ${n} confirmed`,
          text: 'x',
        });
      }
      const mails = await mail.mailbox.waitFor((m) => m.length === 2);
      expect(mails.map((m) => m.subject).sort()).toEqual(['Order 1 confirmed', 'Order 2 confirmed']);
    } finally {
      transport.close();
      await mail.stop();
    }
    const closed = createSmtpTransport({ host: '127.0.0.1', port: await freePort(), timeoutMs: 1000 });
    await expect(closed.sendMail({ from: 'a@lab.test', to: 'b@lab.test', subject: 's', text: 'x' })).rejects.toThrow();
    closed.close();
  });

  it('when a port is taken, then assertPortFree names the variable to change', async () => {
    const mail = await startTestMailCatcher();
    try {
      await expect(assertPortFree(mail.smtpPort, 'mail catcher SMTP', 'SMTP_PORT')).rejects.toThrow(/SMTP_PORT/);
    } finally {
      await mail.stop();
    }
  });

  it('when nothing listens at the broker address, then the error says how to start RabbitMQ', async () => {
    const port = await freePort();
    const error = await assertRabbitReachable(`amqp://guest:guest@127.0.0.1:${port}`).catch((e) => e);
    expect(error).toBeInstanceOf(LabSetupError);
    expect(error.message).toMatch(/RabbitMQ is not reachable at amqp:\/\/127\.0\.0\.1:\d+: start it with/);
  });

  it('when embedded PostgreSQL starts twice on one folder, then the second start reuses the data', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-embedded-'));
    try {
      const port = await freePort();
      let server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port });
      let client = new pg.Client({ connectionString: server.adminUrl });
      await client.connect();
      await client.query('CREATE TABLE kept (id int)');
      await client.end();
      await server.stop();
      server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port });
      client = new pg.Client({ connectionString: server.adminUrl });
      await client.connect();
      const { rowCount } = await client.query("SELECT 1 FROM pg_tables WHERE tablename = 'kept'");
      await client.end();
      await server.stop();
      expect(rowCount).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when a process that ran embedded PostgreSQL ends with a failing code, then that code reaches the shell', () => {
    const fixture = path.join(import.meta.dirname, 'fixtures', 'embedded-exit-code.ts');
    for (const code of [1, 0]) {
      const run = spawnSync(process.execPath, ['--import', 'tsx', fixture, String(code)], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(code);
      expect(run.stderr).not.toMatch(/TypeError/);
    }
  });
});
