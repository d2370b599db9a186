import type { LabHandle } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import { audit, describeAudit, faults, newestOrders, patternBackStep, patterns } from './shared';

// LESSON: Switch off idempotent consumers (LESSONS.md#switch-off-idempotent-consumers)

const PRODUCT = 2;

/** The newest order was charged and mailed more than once: the copies were handled again. */
async function duplicated(lab: LabHandle): Promise<CheckResult> {
  const [order] = await newestOrders(lab, 'microservices', 1);
  if (!order) return fail('The microservices have no order: check out once with the dedupe off and redelivery_rate 1.');
  const entry = (await audit(lab, 'microservices')).orders.find((candidate) => candidate.id === order.id);
  if (!entry || (entry.provider_charges ?? 0) < 2 || entry.emails < 2) {
    return fail(
      `Order #${order.id} (${order.status}) has ${describeAudit(entry)}: not two charges and two emails. ` +
        'Were idempotent_consumers off and redelivery_rate 1 before the checkout? The copies come a moment after each step.',
    );
  }
  return pass(
    `Order #${order.id} has ${describeAudit(entry)}: the provider charged the card again and the buyer got the mail again, ` +
      `while the shop's payments table kept ${entry.payments} succeeded row (UNIQUE (order_id)).`,
  );
}

export const switchOffIdempotentConsumers: Lesson = {
  id: 'switch-off-idempotent-consumers',
  title: 'Switch off idempotent consumers',
  anchor: 'switch-off-idempotent-consumers',
  stacks: ['microservices'],
  goal: 'See a consumer without dedupe repeat its effect on every redelivery: the card charged twice, the mail sent twice.',
  steps: [
    {
      instructions:
        'Switch the dedupe off (idempotent_consumers false) and deliver every message twice (the fault redelivery_rate 1).',
      uses: {
        view: 'Faults (the Idempotent consumers switch, redelivery_rate)',
        command:
          'curl -X PUT $G/api/lab/patterns -d \'{"idempotent_consumers": false}\'; curl -X PUT $G/api/lab/faults -d \'{"redelivery_rate": 1}\'',
      },
      async check(lab) {
        if ((await patterns(lab)).idempotent_consumers !== false)
          return fail('The pattern idempotent_consumers is on: PUT /api/lab/patterns {"idempotent_consumers": false}.');
        const rate = Number((await faults(lab, 'microservices')).redelivery_rate ?? 0);
        if (rate !== 1) return fail(`redelivery_rate is ${rate}: PUT /api/lab/faults {"redelivery_rate": 1}.`);
        return pass('The dedupe is off and every consumed message comes a second time, as after a lost ack.');
      },
      hints: ['Two PUTs on the gateway: /api/lab/patterns and /api/lab/faults.'],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/patterns', { idempotent_consumers: false });
        await lab.expect('microservices', 'PUT', '/api/lab/faults', { redelivery_rate: 1 });
      },
    },
    {
      instructions: 'Check out once on the gateway, wait for "confirmed", and read the audit.',
      uses: {
        view: 'Storefronts, then Faults (Verdict of the last run)',
        command: 'curl -X POST $G/api/orders/checkout; curl $G/api/lab/audit',
      },
      check: duplicated,
      hints: [
        'provider_charges counts the charges the card provider holds for the order; emails the mails sent.',
        'The second INSERT of the payment met UNIQUE (order_id) and failed, and its retry charged again.',
      ],
      async solve(lab) {
        const answer = await lab.buyOnce('microservices', PRODUCT, 'twice');
        if (answer.status !== 202) return;
        await lab.untilFinal('microservices', answer.body.id);
        await lab.until('the copies handled again', async () => ((await duplicated(lab)).pass ? true : undefined));
      },
    },
    patternBackStep('idempotent_consumers', duplicated, {
      instructions: 'and redelivery_rate back to 0',
      command: 'curl -X PUT $G/api/lab/faults -d \'{"redelivery_rate": 0}\'',
      async check(lab) {
        const rate = Number((await faults(lab, 'microservices')).redelivery_rate ?? 0);
        return rate === 0 ? null : fail(`redelivery_rate is still ${rate}: put it back to 0.`);
      },
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/faults', { redelivery_rate: 0 });
      },
    }),
  ],
};
