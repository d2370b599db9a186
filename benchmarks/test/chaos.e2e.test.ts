import { DEFAULT_ADMIN } from '@checkout-lab/kit';
import {
  jsonRequest,
  startTestShop,
  startTestStack,
  type TestShop,
  type TestStack,
} from '@checkout-lab/stacks/testing';
import { failingCounts } from '@checkout-lab/stacks/verdict';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlan } from '../src/chaos-plan';
import { DEFAULT_BENCH_OPTIONS, runBenchmark, toMarkdown } from '../src/index';

/**
 * A small chaos run on both stacks at once: 12 buyers over 3 s, SMTP down from 0.5 s to 2 s. The monolith refuses the
 * checkouts whose email fails (503 EMAIL_FAILED, nothing kept); the microservices accept every one and confirm it
 * once the mail goes through on a retry. Both verdicts are clean.
 */
async function smtpDown(url: string): Promise<boolean> {
  const login = await jsonRequest(`${url}/api/auth/login`, 'POST', { body: DEFAULT_ADMIN });
  const faults = await jsonRequest(`${url}/api/lab/faults`, 'GET', { token: login.body.access_token });
  return faults.body.faults.smtp_down;
}

describe('chaos with smtp_down on both stacks', () => {
  let shop: TestShop;
  let micro: TestStack;

  beforeAll(async () => {
    // One mail catcher for both stacks, as in the lab: the checker tells their confirmations apart by subject.
    shop = await startTestShop();
    micro = await startTestStack({
      label: 'bench_chaos',
      mail: shop.mail,
      env: { LAB_ADMIN_EMAIL: DEFAULT_ADMIN.email, LAB_ADMIN_PASSWORD: DEFAULT_ADMIN.password },
    });
  });

  afterAll(async () => {
    await micro?.stop();
    await shop?.stop();
  });

  it('when SMTP is down for 1.5 s of the rush, then nothing is lost or doubled on either stack, the monolith refuses with 503, and the report lists the schedule', async () => {
    const report = await runBenchmark({
      ...DEFAULT_BENCH_OPTIONS,
      scenario: 'chaos',
      target: 'both',
      buyers: 12,
      stock: 20,
      durationSec: 3,
      paymentDelayMs: 20,
      emailDelayMs: 20,
      monolithUrl: shop.monolith.url,
      gatewayUrl: micro.gateway,
      mailUiUrl: shop.mail.webUrl,
      chaos: parsePlan({ faults: ['smtp_down=true@0.5-2'], seed: '3' }),
    });
    expect(report.failures).toEqual([]);
    expect(report.passed).toBe(true);

    const mono = report.targets.monolith!;
    expect(failingCounts(mono.verdict)).toEqual([]);
    expect(mono.verdict).toMatchObject({ lost: 0, duplicated_charges: 0, duplicated_emails: 0, stuck: 0 });
    const refused = mono.orders.filter((o) => !o.accepted);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.map((o) => [o.http_status, o.error_code])).toEqual(refused.map(() => [503, 'EMAIL_FAILED']));
    expect(mono.verdict.accepted + refused.length).toBe(12);
    expect(mono.metrics.confirmed).toBe(mono.verdict.accepted);

    const ms = report.targets.micro!;
    expect(failingCounts(ms.verdict)).toEqual([]);
    expect(ms.verdict).toMatchObject({ accepted: 12, final: 12, lost: 0, duplicated_charges: 0, duplicated_emails: 0 });
    expect(ms.metrics.confirmed).toBe(12);

    for (const t of [mono, ms]) {
      expect(t.schedule?.seed).toBe(3);
      expect(t.schedule?.faults).toHaveLength(1);
      const fault = t.schedule!.faults[0];
      expect(fault).toMatchObject({ name: 'smtp_down', value: true, from_s: 0.5, to_s: 2, status: 'applied' });
      expect(fault.applied_at_s).toBeGreaterThanOrEqual(0.5);
      expect(fault.reverted_at_s).toBeGreaterThanOrEqual(2);
      expect(t.schedule?.judged).toBe(true);
      // Without faults in force, no_5xx is no invariant of the run: the 503s are the fault's.
      expect(t.invariants.map((i) => i.name)).not.toContain('no_5xx');
    }

    const markdown = toMarkdown(report);
    expect(markdown).toContain('Schedule (seed 3');
    expect(markdown).toMatch(
      /\| monolith \| fault smtp_down=true \| 0\.5 – 2 s \| on [\d.]+ s, off [\d.]+ s \| applied \|/,
    );
    expect(markdown).toMatch(/\| microservices \| fault smtp_down=true \| 0\.5 – 2 s \|/);
    expect(markdown.indexOf('Schedule (')).toBeLessThan(markdown.indexOf('Verdict ('));

    // Every fault is off again on both stacks.
    for (const url of [shop.monolith.url, micro.gateway]) expect(await smtpDown(url)).toBe(false);
  });

  it('when the run is cancelled while SMTP is down, then it rejects with an AbortError and the fault is off again', async () => {
    const controller = new AbortController();
    const run = runBenchmark(
      {
        ...DEFAULT_BENCH_OPTIONS,
        scenario: 'chaos',
        target: 'monolith',
        buyers: 6,
        stock: 20,
        durationSec: 5,
        paymentDelayMs: 20,
        emailDelayMs: 20,
        monolithUrl: shop.monolith.url,
        mailUiUrl: shop.mail.webUrl,
        chaos: parsePlan({ faults: ['smtp_down=true'], seed: '3' }),
      },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'run' && p.done >= 1) controller.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(await smtpDown(shop.monolith.url)).toBe(false);
  });
});
