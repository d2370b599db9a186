import type { LabHandle } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import { audit, describeAudit, onceEach, describeOrder } from './shared';

// LESSON: One cart, one order (LESSONS.md#one-cart-one-order)

const PRODUCT = 3;

interface MyOrder {
  id: number;
  status: string;
  failure_reason: string | null;
  items: { product_id: number; quantity: number }[];
}

/** The admin's cart was checked out twice at once: one order of it, charged once, mailed once, the cart empty. */
async function oneOrder(lab: LabHandle): Promise<CheckResult> {
  const mine = await lab.expect<MyOrder[]>('monolith', 'GET', '/api/orders');
  const ofProduct = mine.filter((order) => order.items.some((item) => item.product_id === PRODUCT));
  if (ofProduct.length === 0) {
    return fail(
      `You (the admin) have no monolith order of product ${PRODUCT}: put it in your cart and send two checkouts at the same instant.`,
    );
  }
  if (ofProduct.length > 1) {
    return fail(
      `You have ${ofProduct.length} orders of product ${PRODUCT} (${ofProduct.map(describeOrder).join(', ')}): ` +
        'one cart was ordered more than once, or you checked out more than one cart (POST /api/lab/reset and start again).',
    );
  }
  const [order] = ofProduct;
  if (order.status !== 'confirmed') return fail(`Your order of product ${PRODUCT} is ${describeOrder(order)}.`);
  const truth = await audit(lab, 'monolith');
  const entry = truth.orders.find((candidate) => candidate.id === order.id);
  if (!onceEach(entry)) {
    return fail(`Order #${order.id} has ${describeAudit(entry)} in the audit (GET /api/lab/audit): not one of each.`);
  }
  const orphans = truth.orphan_charges ?? [];
  if (orphans.length > 0) {
    return fail(
      `The provider holds ${orphans.length} charge(s) for no order (orphan_charges): a checkout was paid and thrown away.`,
    );
  }
  const cart = await lab.expect<{ items: unknown[] }>('monolith', 'GET', '/api/cart');
  if (cart.items.length > 0) return fail(`Your cart still holds ${cart.items.length} line(s): check out what is left.`);
  return pass(
    `One order of your cart, #${order.id} confirmed, with ${describeAudit(entry)}; no orphan charge, the cart empty: ` +
      'the second checkout waited on the cart row and found it empty (400 CART_EMPTY).',
  );
}

export const oneCartOneOrder: Lesson = {
  id: 'one-cart-one-order',
  title: 'One cart, one order',
  anchor: 'one-cart-one-order',
  stacks: ['monolith'],
  goal: 'See two checkouts of one cart at the same instant give one order: the cart row lock makes the second find it empty.',
  steps: [
    {
      instructions:
        `Put product ${PRODUCT} in your cart on the monolith (the admin's), then send two checkouts at the same instant, ` +
        'without an Idempotency-Key: one 201, and about one checkout later one 400 CART_EMPTY.',
      uses: {
        view: 'Storefronts (the Monolith pane: a double click on Check out)',
        command:
          'for n in 1 2; do curl -s -o /dev/null -w "%{http_code}\\n" -X POST $M/api/orders/checkout -H "authorization: Bearer $TOKEN" & done; wait',
      },
      check: oneOrder,
      hints: [
        'Both requests must leave before the first answers: send them in the background (&) and wait.',
        'Step 1 locks the cart row (SELECT ... FOR UPDATE on carts): the second checkout waits there.',
        'GET /api/lab/audit counts the payments, the charges at the provider and the emails of each order.',
      ],
      async solve(lab) {
        await lab.expect('monolith', 'POST', '/api/cart/items', { product_id: PRODUCT, quantity: 1 });
        await Promise.all([1, 2].map(() => lab.api('monolith', 'POST', '/api/orders/checkout')));
      },
    },
  ],
};
