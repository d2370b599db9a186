import type { LabHandle } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import { describeOrder, faults } from './shared';

// LESSON: What happens when email fails (LESSONS.md#what-happens-when-email-fails)

const PRODUCT = 3;

interface Cart {
  items: { product_id: number; quantity: number }[];
}
interface Audit {
  orphan_charges: { provider_charge_id: string; order_ref: string; amount: string }[];
}

/** The admin's cart (the lesson checks out with the admin's token, as LESSONS.md does). */
async function cart(lab: LabHandle): Promise<Cart> {
  return lab.expect<Cart>('monolith', 'GET', '/api/cart');
}

/** The checkout with SMTP down kept nothing: the cart still full, and a charge at the provider for no order. */
async function thrownAway(lab: LabHandle): Promise<CheckResult> {
  const { orphan_charges: orphans } = await lab.expect<Audit>('monolith', 'GET', '/api/lab/audit');
  if (orphans.length === 0) {
    return fail(
      'The audit (GET /api/lab/audit) lists no orphan charge: no checkout has been rolled back after its payment. ' +
        'Check out with smtp_down on.',
    );
  }
  const items = (await cart(lab)).items;
  if (!items.some((item) => item.product_id === PRODUCT)) {
    return fail(
      `Your cart does not hold product ${PRODUCT}: add it before the checkout that fails (the cart is kept on a rollback).`,
    );
  }
  const last = orphans[orphans.length - 1];
  return pass(
    `Your cart still holds product ${PRODUCT}, and the provider holds ${orphans.length} charge(s) for no order ` +
      `(the last: ${last.amount} for order_ref ${last.order_ref}): the paid order was thrown away.`,
  );
}

export const whatHappensWhenEmailFails: Lesson = {
  id: 'what-happens-when-email-fails',
  title: 'What happens when email fails',
  anchor: 'what-happens-when-email-fails',
  stacks: ['monolith'],
  goal: 'See one transaction throw a paid, valid order away because its confirmation email could not be sent.',
  steps: [
    {
      instructions: 'Break the mail server for the monolith: switch the fault smtp_down on.',
      uses: { view: 'Faults (as the lab admin)', command: 'curl -X PUT $M/api/lab/faults -d \'{"smtp_down": true}\'' },
      async check(lab) {
        const now = await faults(lab, 'monolith');
        if (now.smtp_down !== true)
          return fail(`The monolith's smtp_down is ${String(now.smtp_down)}: switch it on with PUT /api/lab/faults.`);
        return pass('smtp_down is on: every SMTP connection of the monolith is refused.');
      },
      hints: ['GET /api/lab/faults lists the catalog; PUT takes {"smtp_down": true}.'],
      async solve(lab) {
        await lab.expect('monolith', 'PUT', '/api/lab/faults', { smtp_down: true });
      },
    },
    {
      instructions: `Put product ${PRODUCT} in your cart and check out: 503 EMAIL_FAILED. Look at the cart, the orders and the audit.`,
      uses: {
        view: 'Storefronts (the Monolith pane)',
        command: 'curl -X POST $M/api/orders/checkout; curl $M/api/lab/audit',
      },
      check: thrownAway,
      hints: [
        'Use the admin token for the cart and the checkout, as in LESSONS.md.',
        'The answer comes only after the payment and the email delay: the card was charged first.',
        'GET /api/lab/audit: orphan_charges are charges the provider holds for no order the shop kept.',
      ],
      async solve(lab) {
        await lab.expect('monolith', 'POST', '/api/cart/items', { product_id: PRODUCT, quantity: 1 });
        await lab.api('monolith', 'POST', '/api/orders/checkout');
      },
    },
    {
      instructions: 'Switch smtp_down off and check out the same cart again.',
      uses: {
        view: 'Faults, then Storefronts',
        command: 'curl -X POST $M/api/lab/faults/reset; curl -X POST $M/api/orders/checkout',
      },
      async check(lab) {
        if ((await faults(lab, 'monolith')).smtp_down !== false)
          return fail('smtp_down is still on: POST /api/lab/faults/reset.');
        const { orphan_charges: orphans } = await lab.expect<Audit>('monolith', 'GET', '/api/lab/audit');
        if (orphans.length === 0)
          return fail('No orphan charge in the audit: do the failing checkout of step 2 first.');
        const mine = await lab.expect<
          { id: number; status: string; failure_reason: string | null; items: Cart['items'] }[]
        >('monolith', 'GET', '/api/orders');
        const newest = [...mine].sort((a, b) => b.id - a.id)[0];
        if (!newest?.items.some((item) => item.product_id === PRODUCT)) {
          return fail(
            `You have no order of product ${PRODUCT}: check out the cart again now that the mail server is back.`,
          );
        }
        if (newest.status !== 'confirmed') return fail(`Your newest order is ${describeOrder(newest)}.`);
        if ((await cart(lab)).items.length > 0) return fail('Your cart is not empty: check out what is left in it.');
        return pass(
          `Order #${newest.id} is confirmed and the cart is empty; the charge of the thrown-away attempt is still an orphan at the provider.`,
        );
      },
      hints: [
        'POST /api/lab/faults/reset turns every fault off.',
        'The cart was kept: check out again, nothing to add.',
      ],
      async solve(lab) {
        await lab.expect('monolith', 'POST', '/api/lab/faults/reset');
        await lab.api('monolith', 'POST', '/api/orders/checkout');
      },
    },
  ],
};
