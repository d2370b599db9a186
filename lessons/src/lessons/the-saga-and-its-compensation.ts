import { findStep, type LabHandle } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import {
  checkOutAndWait,
  config,
  hasProduct,
  knobBackStep,
  newestDeclined,
  newestOrders,
  stockAccountsFor,
} from './shared';

// LESSON: The saga and its compensation (LESSONS.md#the-saga-and-its-compensation)

const PRODUCT = 2;
const QUANTITY = 3;

/** The newest order of the product was declined and compensated: cancelled, one declined payment, the stock back. */
async function compensated(lab: LabHandle): Promise<CheckResult> {
  const order = await newestDeclined(lab, PRODUCT, QUANTITY);
  if (!('id' in order)) return order;
  if (!findStep(order, '3_reserve_inventory'))
    return fail(`Order #${order.id} has no 3_reserve_inventory step: was its stock ever reserved?`);
  const payments = await lab.query<{ status: string }>('payments', 'SELECT status FROM payments WHERE order_id = $1', [
    order.id,
  ]);
  if (!payments.some((payment) => payment.status === 'declined')) {
    return fail(
      `payment-service holds no declined payment for order #${order.id} (it has: ${payments.map((p) => p.status).join(', ') || 'none'}).`,
    );
  }
  // Since the last reset the stock is the seed's, less what confirmed orders took: a cancelled one gave its share back.
  const confirmed = await newestOrders(
    lab,
    'microservices',
    10_000,
    (o) => o.status === 'confirmed' && hasProduct(PRODUCT)(o),
  );
  const { stock, problem } = await stockAccountsFor(lab, 'microservices', PRODUCT, confirmed);
  if (problem)
    return fail(`${problem.message} The cancelled order #${order.id} should have given its ${QUANTITY} back.`);
  return pass(
    `Order #${order.id} is cancelled (payment_declined) after its reservation; payment-service recorded it declined, and ` +
      `product ${PRODUCT}'s stock is back at ${stock}.`,
  );
}

export const theSagaAndItsCompensation: Lesson = {
  id: 'the-saga-and-its-compensation',
  title: 'The saga and its compensation',
  anchor: 'the-saga-and-its-compensation',
  stacks: ['microservices'],
  goal: 'See a declined payment undo the stock reservation made in another service, by an event, not a rollback.',
  steps: [
    {
      instructions: 'Make every payment fail on the microservices: payment_failure_rate 1.',
      uses: {
        view: 'Instructor (the knobs)',
        command: 'curl -X PUT $G/api/lab/config -d \'{"payment_failure_rate": 1}\'',
      },
      async check(lab) {
        const rate = (await config(lab, 'microservices')).payment_failure_rate;
        if (rate !== 1)
          return fail(
            `payment_failure_rate is ${rate} on the microservices: set it to 1 (PUT /api/lab/config on the gateway).`,
          );
        return pass('payment_failure_rate is 1: the provider declines every charge.');
      },
      hints: ['PUT /api/lab/config on the gateway ($G), as the admin.'],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/config', { payment_failure_rate: 1 });
      },
    },
    {
      instructions: `Note product ${PRODUCT}'s stock, check out ${QUANTITY} of it on the gateway, poll the order, and look at the stock again.`,
      uses: {
        view: 'Storefronts (the Microservices pane)',
        command: `curl $G/api/products/${PRODUCT}; curl -X POST $G/api/orders/checkout`,
      },
      check: compensated,
      hints: [
        'The checkout still answers 202: the decline comes later, from payment-service.',
        'order-service cancels the order and publishes order.order.cancelled; product-service puts the stock back.',
        'psql on the payments database: SELECT order_id, status FROM payments ORDER BY id DESC LIMIT 3.',
      ],
      solve: (lab) => checkOutAndWait(lab, PRODUCT, QUANTITY, 'declined'),
    },
    knobBackStep('microservices', 'payment_failure_rate', compensated),
  ],
};
