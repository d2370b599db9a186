import { DEFAULT_KNOBS } from '@checkout-lab/kit';
import type { LabHandle } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import {
  config,
  hasProduct,
  checkOutAndWait,
  newestDeclined,
  newestOrders,
  patternBackStep,
  patterns,
  stockAccountsFor,
} from './shared';

// LESSON: Switch off compensation (LESSONS.md#switch-off-compensation)

const PRODUCT = 2;
const QUANTITY = 3;

/** The declined order was cancelled and its units never came back: stock below the seed less what was confirmed. */
async function leaked(lab: LabHandle): Promise<CheckResult> {
  const declined = await newestDeclined(lab, PRODUCT, QUANTITY);
  if (!('id' in declined)) return declined;
  const order = declined;
  const confirmed = await newestOrders(
    lab,
    'microservices',
    10_000,
    (o) => o.status === 'confirmed' && hasProduct(PRODUCT)(o),
  );
  const { sold, stock, seed } = await stockAccountsFor(lab, 'microservices', PRODUCT, confirmed);
  const missing = seed - sold - stock;
  if (missing < QUANTITY) {
    return fail(
      `Product ${PRODUCT}'s stock is ${stock}: the seed's ${seed} less the ${sold} confirmed orders took, so the cancelled ` +
        `order #${order.id} gave its units back. Was compensation off (PUT /api/lab/patterns {"compensation": false}) before the checkout?`,
    );
  }
  return pass(
    `Order #${order.id} is cancelled (payment_declined), yet product ${PRODUCT}'s stock is ${stock}, ${missing} below the ` +
      `seed's ${seed} less the ${sold} sold: the reservation leaked (the verdict's stock_drift).`,
  );
}

export const switchOffCompensation: Lesson = {
  id: 'switch-off-compensation',
  title: 'Switch off compensation',
  anchor: 'switch-off-compensation',
  stacks: ['microservices'],
  goal: 'See a saga step that commits on its own stay done when a later step fails and nobody sends its compensation.',
  steps: [
    {
      instructions:
        'Decline every payment on the microservices (payment_failure_rate 1) and switch the compensation off.',
      uses: {
        view: 'Instructor (the knobs), then Faults (the pattern switches)',
        command:
          'curl -X PUT $G/api/lab/config -d \'{"payment_failure_rate": 1}\'; curl -X PUT $G/api/lab/patterns -d \'{"compensation": false}\'',
      },
      async check(lab) {
        const rate = (await config(lab, 'microservices')).payment_failure_rate;
        if (rate !== 1) return fail(`payment_failure_rate is ${rate} on the microservices: set it to 1.`);
        if ((await patterns(lab)).compensation !== false)
          return fail('The pattern compensation is on: PUT /api/lab/patterns {"compensation": false} on the gateway.');
        return pass('Every payment is declined, and order-service will cancel without giving the stock back.');
      },
      hints: ['PUT /api/lab/config and PUT /api/lab/patterns, both on the gateway, as the admin.'],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/config', { payment_failure_rate: 1 });
        await lab.expect('microservices', 'PUT', '/api/lab/patterns', { compensation: false });
      },
    },
    {
      instructions: `Note product ${PRODUCT}'s stock, check out ${QUANTITY} of it on the gateway, poll the order, and look at the stock again.`,
      uses: {
        view: 'Storefronts (the Microservices pane)',
        command: `curl $G/api/products/${PRODUCT}; curl -X POST $G/api/orders/checkout`,
      },
      check: leaked,
      hints: [
        'The order ends cancelled as in "The saga and its compensation"; look at the stock, not the order.',
        'order-service logs "compensation off: the reserved stock is kept".',
      ],
      solve: (lab) => checkOutAndWait(lab, PRODUCT, QUANTITY, 'leaked'),
    },
    patternBackStep('compensation', leaked, {
      instructions: 'and payment_failure_rate back to 0',
      command: 'curl -X PUT $G/api/lab/config -d \'{"payment_failure_rate": 0}\'',
      async check(lab) {
        const rate = (await config(lab, 'microservices')).payment_failure_rate;
        return rate === DEFAULT_KNOBS.payment_failure_rate
          ? null
          : fail(`payment_failure_rate is still ${rate}: put it back to ${DEFAULT_KNOBS.payment_failure_rate}.`);
      },
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/config', {
          payment_failure_rate: DEFAULT_KNOBS.payment_failure_rate,
        });
      },
    }),
  ],
};
