import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { checkHistory, failingCounts } from '@checkout-lab/stacks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  historyOf,
  type MicroLab,
  login,
  newBuyers,
  newProduct,
  queryService,
  runCheckouts,
  startMicroLab,
  waitAllFinal,
} from '@checkout-lab/stacks/testing';

const run = promisify(execFile);

/** Starts the broker app again, and the whole broker if it went down entirely. */
async function ensureBrokerRunning(): Promise<void> {
  try {
    await run('rabbitmqctl', ['start_app'], { timeout: 120_000 });
  } catch {
    await run('rabbitmq-server', ['-detached']).catch(() => {});
    await run('rabbitmqctl', ['wait', '--timeout', '120', '/var/lib/rabbitmq/mnesia/rabbit.pid']).catch(() => {});
    await run('rabbitmqctl', ['start_app'], { timeout: 120_000 }).catch(() => {});
  }
}

/**
 * RabbitMQ restarts in the middle of a run (`rabbitmqctl stop_app`, then `start_app`): every service loses its
 * connection, reconnects by itself, re-declares its queues and resumes consuming; the outbox keeps the events
 * written while the broker was away.
 */
/**
 * Stopping the broker app cuts every connection on it, other test files' and other people's included, so this test
 * runs only when asked: `LAB_BROKER_RESTART_TEST=1 npx vitest run microservices/order-service/test/broker-restart`,
 * alone (CI: as its own step, after the parallel suite).
 */
const enabled = process.env.LAB_BROKER_RESTART_TEST === '1';

describe.skipIf(!enabled)('a broker restart in the middle of a run', () => {
  let lab: MicroLab;
  let admin: string;

  beforeAll(async () => {
    // A payment slow enough that the first orders are still in flight when the broker stops, however fast the machine.
    lab = await startMicroLab({ payment_delay_ms: 1000, email_delay_ms: 20 });
    admin = await login(lab.gateway, lab.admin.email, lab.admin.password);
  });
  afterAll(async () => {
    await ensureBrokerRunning();
    await lab?.stop();
  });

  it('when RabbitMQ stops and starts again, then the services reconnect and every order is finished', async () => {
    const product = await newProduct(lab.gateway, admin, 60);
    const buyers = await newBuyers(lab.gateway, 60);
    const acceptedWhileDown: number[] = [];
    let inFlightAtStop = 0;
    try {
      const { accepted } = await runCheckouts(lab.gateway, buyers.slice(0, 40), product.id, {
        pauseAfter: 20,
        atPause: async () => {
          // Counted as the stop is issued: with a 1 s payment the first 20 orders are still being paid. (Counted after
          // stop_app returns, the figure depended on how long the stop took: on a loaded machine they could all be
          // final by then.)
          const [row] = await queryService<{ n: number }>(
            lab,
            'order-service',
            `SELECT count(*)::int AS n FROM orders WHERE status NOT IN ('confirmed', 'cancelled')`,
          );
          inFlightAtStop = row.n;
          await run('rabbitmqctl', ['stop_app'], { timeout: 120_000 });
          // With the broker down, checkout still answers 202: the event waits in the outbox.
          const during = await runCheckouts(lab.gateway, buyers.slice(40), product.id);
          acceptedWhileDown.push(...during.accepted);
          await run('rabbitmqctl', ['start_app'], { timeout: 120_000 });
        },
      });
      expect(inFlightAtStop).toBeGreaterThan(0);
      expect(acceptedWhileDown).toHaveLength(20);
      accepted.push(...acceptedWhileDown);
      expect(accepted).toHaveLength(60);
      await waitAllFinal(lab, accepted, 180_000);
      const { verdict, ok } = checkHistory(await historyOf(lab, accepted));
      expect(failingCounts(verdict)).toEqual([]);
      expect(ok).toBe(true);
      // Every service reports itself healthy (database and broker) again.
      for (const name of ['order-service', 'payment-service', 'email-service'] as const) {
        const health = await fetch(`${lab.stack.services[name].url}/health`);
        expect(health.status).toBe(200);
      }
    } finally {
      await ensureBrokerRunning();
    }
  });
});
