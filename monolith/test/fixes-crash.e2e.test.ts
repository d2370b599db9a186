import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MonolithProcess, startMonolithProcess } from '@checkout-lab/stacks/testing';

/**
 * The fix async_email against a real crash: the monolith as its own process under a restarting supervisor, killed
 * with SIGKILL while its job worker is in the middle of the confirmation (in the email delay, before SMTP). The job is
 * a row committed with the order, so the restarted monolith sends it: once.
 */
describe('the monolith killed between the commit and the email, with async_email on', () => {
  let shop: MonolithProcess;
  beforeAll(async () => {
    // A slow mail provider: the worker is still waiting when the process dies.
    shop = await startMonolithProcess({ EMAIL_DELAY_MS: '3000' });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  const until = async <T>(what: string, probe: () => Promise<T | undefined>, tries = 400): Promise<T> => {
    for (let attempt = 0; attempt < tries; attempt += 1) {
      const found = await probe().catch(() => undefined);
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`never saw: ${what}`);
  };

  it('when SIGKILL comes while the job is running, then after the restart the email is sent once and the order keeps it', async () => {
    const fixes = await shop.api('PUT', '/api/lab/fixes', { token: shop.adminToken, body: { async_email: true } });
    expect(fixes.body.async_email).toBe(true);
    const email = `killed.${process.pid}.${Date.now()}@example.test`;
    await shop.api('POST', '/api/auth/register', {
      body: { email, password: 'correct horse', full_name: 'Kill Buyer' },
    });
    const { access_token: token } = (
      await shop.api('POST', '/api/auth/login', {
        body: { email, password: 'correct horse' },
      })
    ).body;
    await shop.api('POST', '/api/cart/items', { token, body: { product_id: 1, quantity: 1 } });
    const answer = await shop.api('POST', '/api/orders/checkout', { token });
    expect(answer.status).toBe(201);
    expect(answer.body.email_sent_at).toBeNull();

    // The worker has taken the job (locked it) and sleeps in the email delay: kill the process now.
    await until('the job taken by the worker', async () => {
      const { rows } = await shop.sql.query('SELECT 1 FROM graphile_worker._private_jobs WHERE locked_at IS NOT NULL');
      return rows[0];
    });
    const before = shop.entry();
    expect(before.pid).toBeGreaterThan(0);
    process.kill(before.pid as number, 'SIGKILL');
    await shop.runningAgain(before.pid as number, 60_000);
    expect((await shop.mail.mailbox.list()).filter((m) => m.subject?.includes(`#${answer.body.id} `))).toEqual([]);

    // The restarted process found the job (its lock left by the dead one), ran it again, and sent the email.
    const subject = `[monolith] Order #${answer.body.id} confirmed`;
    const order = await until('the email sent after the restart', async () => {
      const read = await shop.api('GET', `/api/orders/${answer.body.id}`, { token });
      return read.body.email_sent_at ? read.body : undefined;
    });
    expect(order.status).toBe('confirmed');
    await until('the mail in the catcher', async () => {
      const mails = (await shop.mail.mailbox.list()).filter((m) => m.subject === subject);
      return mails.length > 0 ? mails : undefined;
    });
    const { rows } = await shop.sql.query('SELECT count(*)::int AS n FROM graphile_worker._private_jobs');
    expect(rows[0].n).toBe(0);
    expect((await shop.mail.mailbox.list()).filter((m) => m.subject === subject)).toHaveLength(1);
  });
});
