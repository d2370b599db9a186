import { checkHistory, failingCounts } from '@checkout-lab/stacks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '@checkout-lab/stacks';
import {
  historyOf,
  type MicroLab,
  login,
  newBuyers,
  newProduct,
  queryService,
  runCheckouts,
  startMicroLab,
  stockOf,
  waitAllFinal,
} from '@checkout-lab/stacks/testing';

const ORDERS = 100;

/**
 * Jepsen-style: kill -9 one service in the middle of 100 orders, bring it back, and let the checker count lost and
 * duplicated effects over what every service recorded and what the mail catcher received.
 */
describe('crash safety: a service killed with SIGKILL in the middle of 100 orders', () => {
  let lab: MicroLab;
  let admin: string;

  beforeAll(async () => {
    // Payments slow enough that sagas are still in motion at the kill, however fast the machine.
    lab = await startMicroLab({ payment_delay_ms: 200, email_delay_ms: 20 });
    admin = await login(lab.gateway, lab.admin.email, lab.admin.password);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  const victims: ServiceName[] = ['payment-service', 'email-service', 'order-service'];
  for (const victim of victims) {
    it(`when ${victim} is killed and restarted, then every order is final, none lost, none charged or mailed twice`, async () => {
      const product = await newProduct(lab.gateway, admin, ORDERS);
      const buyers = await newBuyers(lab.gateway, ORDERS);
      let killed = false;
      let inFlightAtKill = 0;
      const { accepted, attempts } = await runCheckouts(lab.gateway, buyers, product.id, {
        pauseAfter: ORDERS / 2,
        atPause: async () => {
          await lab.stack.kill(victim, 'SIGKILL');
          killed = true;
          const [row] = await queryService<{ n: number }>(
            lab,
            'order-service',
            `SELECT count(*)::int AS n FROM orders WHERE status NOT IN ('confirmed', 'cancelled')`,
          );
          inFlightAtKill = row.n;
          await new Promise((r) => setTimeout(r, 500));
          await lab.stack.restart(victim);
        },
      });
      expect(killed).toBe(true);
      // The kill hit a saga in motion, not an idle service.
      expect(inFlightAtKill).toBeGreaterThan(0);
      // Every buyer got a 202: the checkouts paused while the victim was down.
      expect(accepted).toHaveLength(ORDERS);
      await waitAllFinal(lab, accepted);
      const history = await historyOf(lab, accepted, attempts);
      const { verdict, findings, ok } = checkHistory(history);
      expect(findings.filter((f) => f.count !== 'recovered')).toEqual([]);
      expect(failingCounts(verdict)).toEqual([]);
      expect(verdict).toMatchObject({ accepted: ORDERS, final: ORDERS });
      expect(ok).toBe(true);
      // Plenty of stock and no declines: every order confirmed, and the stock went down by exactly one per order.
      expect(new Set(history.audit.orders.map((o) => o.status))).toEqual(new Set(['confirmed']));
      expect(await stockOf(lab.gateway, product.id)).toBe(0);
    });
  }
});
