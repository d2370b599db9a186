import { afterAll, describe, expect, it } from 'vitest';
import { createSmtpTransport } from '../src';
import { type FaultySmtp, startFaultySmtp, startTestMailCatcher } from '../src/testing-entry';

const mail = (n: number) => ({ from: 'shop@lab.test', to: 'b@lab.test', subject: `Order ${n} confirmed`, text: 'x' });

/** Every promise's outcome, or a failure naming how many had not settled after a generous bound. */
async function settleAll<T>(promises: Promise<T>[], boundMs = 30_000): Promise<PromiseSettledResult<T>[]> {
  let settled = 0;
  for (const p of promises) {
    p.then(
      () => settled++,
      () => settled++,
    );
  }
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${promises.length - settled} of ${promises.length} sends never settled`)),
      boundMs,
    );
  });
  try {
    return await Promise.race([Promise.allSettled(promises), bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** The lab's pooled SMTP transport against a mail server that really fails. */
describe('SMTP transport during an outage', () => {
  const servers: FaultySmtp[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop();
  });
  const faulty = async (...args: Parameters<typeof startFaultySmtp>) => {
    const server = await startFaultySmtp(...args);
    servers.push(server);
    return server;
  };

  it('when the server refuses connections, then every one of many concurrent sends fails, round after round', async () => {
    const server = await faulty('refuse');
    const transport = createSmtpTransport({ host: '127.0.0.1', port: server.port, timeoutMs: 1000 });
    try {
      for (const round of [1, 2]) {
        const results = await settleAll(Array.from({ length: 10 }, (_, i) => transport.sendMail(mail(round * 10 + i))));
        expect(results.map((r) => r.status)).toEqual(Array(10).fill('rejected'));
      }
      expect(transport.health()).toMatchObject({ status: 'failing', consecutive_failures: 20 });
      expect(transport.health().last_error).toMatch(/ECONNREFUSED/);
    } finally {
      transport.close();
    }
  });

  it('when the server accepts and never greets, then every concurrent send fails with a timeout', async () => {
    const server = await faulty('hang');
    const transport = createSmtpTransport({ host: '127.0.0.1', port: server.port, timeoutMs: 500 });
    try {
      const results = await settleAll(Array.from({ length: 10 }, (_, i) => transport.sendMail(mail(i))));
      expect(results.map((r) => r.status)).toEqual(Array(10).fill('rejected'));
      expect(transport.health().status).toBe('failing');
    } finally {
      transport.close();
    }
  });

  it('when the server keeps the connection busy and never answers, then the send deadline ends the send', async () => {
    const server = await faulty('trickle');
    const transport = createSmtpTransport({ host: '127.0.0.1', port: server.port, timeoutMs: 500 });
    try {
      const [result] = await settleAll([transport.sendMail(mail(1))]);
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason.message).toMatch(/did not finish within/);
    } finally {
      transport.close();
    }
  });

  it('when the transport is closed with sends stuck, then they fail at once instead of waiting for the server', async () => {
    const server = await faulty('hang');
    const transport = createSmtpTransport({ host: '127.0.0.1', port: server.port, timeoutMs: 60_000 });
    const stuck = [transport.sendMail(mail(1)), transport.sendMail(mail(2))];
    while (server.accepted < 2) await new Promise((r) => setTimeout(r, 20));
    transport.close();
    const results = await settleAll(stuck, 5000);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(transport.sendMail(mail(3))).rejects.toThrow(/closed/);
  });

  it('when the server comes back after an outage, then the same transport sends again and its health is ok', async () => {
    const catcher = await startTestMailCatcher();
    const server = await faulty('refuse');
    const transport = createSmtpTransport({ host: '127.0.0.1', port: server.port, timeoutMs: 1000 });
    try {
      await settleAll(Array.from({ length: 8 }, (_, i) => transport.sendMail(mail(i)).catch(() => {})));
      expect(transport.health().status).toBe('failing');
      await server.set('forward', catcher.smtpPort);
      const results = await settleAll([transport.sendMail(mail(100)), transport.sendMail(mail(101))]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      const caught = await catcher.mailbox.waitFor((m) => m.length === 2);
      expect(caught.map((m) => m.subject).sort()).toEqual(['Order 100 confirmed', 'Order 101 confirmed']);
      expect(transport.health()).toMatchObject({ status: 'ok', consecutive_failures: 0, in_flight: 0 });
    } finally {
      transport.close();
      await catcher.stop();
    }
  });

  it('when the server is back and nothing is sent, then health asks the server and turns ok again', async () => {
    const catcher = await startTestMailCatcher();
    const server = await faulty('refuse');
    const transport = createSmtpTransport({ host: '127.0.0.1', port: server.port, timeoutMs: 300 });
    try {
      await settleAll([transport.sendMail(mail(1)).catch(() => {})]);
      expect(transport.health().status).toBe('failing');
      await server.set('forward', catcher.smtpPort);
      const deadline = Date.now() + 30_000;
      while (transport.health().status !== 'ok' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(transport.health().status).toBe('ok');
      expect(await catcher.mailbox.list()).toHaveLength(0);
    } finally {
      transport.close();
      await catcher.stop();
    }
  });
});
