import { type LabHandle, type Order, stepEnd } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import type { AuditOrder } from '@checkout-lab/stacks';
import { audit, describeAudit, onceEach, describeOrder, newestOrders, outboxRows } from './shared';

// LESSON: Idempotent consumers (LESSONS.md#idempotent-consumers)

const PRODUCT = 2;
const REQUESTED = 'order.payment.requested';

/** When the order was final: the end of its last step. */
const finishedAt = (order: Order) => Math.max(...order.steps.map(stepEnd));

/** The newest confirmed order, charged once, mailed once. */
async function chargedOnce(lab: LabHandle): Promise<{ order: Order; entry?: AuditOrder; seen: CheckResult }> {
  const [order] = await newestOrders(lab, 'microservices', 1);
  if (!order) return { order, seen: fail('The microservices have no order: check out on the gateway and poll it.') };
  if (order.status !== 'confirmed')
    return { order, seen: fail(`The newest order is ${describeOrder(order)}: poll it until it is confirmed.`) };
  const entry = (await audit(lab, 'microservices')).orders.find((candidate) => candidate.id === order.id);
  if (!onceEach(entry)) {
    return {
      order,
      entry,
      seen: fail(`Order #${order.id} has ${describeAudit(entry)} in the audit: not one of each.`),
    };
  }
  return {
    order,
    entry,
    seen: pass(`Order #${order.id} is confirmed with ${describeAudit(entry)} (GET /api/lab/audit).`),
  };
}

export const idempotentConsumers: Lesson = {
  id: 'idempotent-consumers',
  title: 'Idempotent consumers',
  anchor: 'idempotent-consumers',
  stacks: ['microservices'],
  goal: 'Publish a payment request a second time and see payment-service skip the copy: one charge per order.',
  steps: [
    {
      instructions: `Check out product ${PRODUCT} on the gateway, poll the order until it is confirmed, and read the audit: one payment per confirmed order.`,
      uses: {
        view: 'Storefronts (the Microservices pane)',
        command: 'curl -X POST $G/api/orders/checkout; curl $G/api/lab/audit',
      },
      check: async (lab) => (await chargedOnce(lab)).seen,
      hints: ["GET /api/lab/audit on the gateway counts payments, the provider's charges and emails per order."],
      async solve(lab) {
        const answer = await lab.buyOnce('microservices', PRODUCT, 'once');
        if (answer.status === 202) await lab.untilFinal('microservices', answer.body.id);
      },
    },
    {
      instructions:
        "Make the relay publish the order's payment request again: " +
        `psql -d checkout_orders -c "UPDATE outbox SET sent_at = NULL WHERE type = '${REQUESTED}'", then read the audit again.`,
      uses: {
        view: 'Internals (the mailbox), Load runs (the invariants)',
        command: `psql -d checkout_orders -c "UPDATE outbox SET sent_at = NULL WHERE type = '${REQUESTED}'"; curl $G/api/lab/audit`,
      },
      async check(lab) {
        const { order, entry, seen } = await chargedOnce(lab);
        if (!seen.pass) return seen;
        const rows = await outboxRows(lab, REQUESTED, order.id);
        if (rows.length === 0) return fail(`Order #${order.id} has no ${REQUESTED} row in order-service's outbox.`);
        if (rows.some((row) => row.sent_at === null))
          return fail(
            `Order #${order.id}'s ${REQUESTED} waits unsent: the relay publishes it within a second; check again.`,
          );
        const resent = rows.filter((row) => row.sent_at && row.sent_at.getTime() > finishedAt(order));
        if (resent.length === 0) {
          return fail(
            `Order #${order.id}'s ${REQUESTED} was last sent before the order was confirmed: it was published once. ` +
              'Set its sent_at back to NULL (the UPDATE above) so the relay sends it again.',
          );
        }
        return pass(
          `Order #${order.id}'s ${REQUESTED} went out again after the order was confirmed, and the audit still says ` +
            `${describeAudit(entry)}: payment-service found the event id in processed_events and skipped it ` +
            '("duplicate event skipped" in its log).',
        );
      },
      hints: [
        'The relay sends every outbox row whose sent_at is NULL, again if it was sent before.',
        "payment-service logs 'duplicate event skipped' (.lab-data/logs/payment-service.log).",
      ],
      async solve(lab) {
        const [order] = await newestOrders(lab, 'microservices', 1);
        await lab.query('orders', 'UPDATE outbox SET sent_at = NULL WHERE type = $1', [REQUESTED]);
        await lab.until(`order #${order?.id}'s payment request sent again`, async () =>
          order && (await outboxRows(lab, REQUESTED, order.id)).every((row) => row.sent_at !== null) ? true : undefined,
        );
      },
    },
  ],
};
