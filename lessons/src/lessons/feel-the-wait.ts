import { findStep, type LabHandle, type Order } from '../lab-handle';
import { fail, type Lesson, pass } from '../lesson';
import { describeOrder, newestOrders, knobBackStep } from './shared';

// LESSON: Feel the wait (LESSONS.md#feel-the-wait)

const PRODUCT = 2;

/** How much of the buyer's wait the payment and the email took. */
function slowShare(order: Order): number {
  const slow =
    (findStep(order, '6_process_payment')?.duration_ms ?? 0) + (findStep(order, '9_send_email')?.duration_ms ?? 0);
  return order.processing_duration_ms > 0 ? slow / order.processing_duration_ms : 0;
}

const payment = (order: Order) => findStep(order, '6_process_payment')?.duration_ms ?? 0;

/** The two newest confirmed orders, the newer one's payment clearly slower than the one before. */
async function slowerPayment(lab: LabHandle) {
  const [newer, older] = await newestOrders(lab, 'monolith', 2, (order) => order.status === 'confirmed');
  if (!older)
    return fail(
      'Fewer than two confirmed monolith orders: check out once, raise payment_delay_ms, check out again ' +
        '(at or above PAYMENT_TIMEOUT_MS, 3000, the checkout answers 504 and keeps no order).',
    );
  if (payment(newer) < 1.5 * payment(older)) {
    return fail(
      `The newest order #${newer.id}'s 6_process_payment took ${payment(newer)} ms, the one before (#${older.id}) ${payment(older)} ms: ` +
        'not clearly slower. Raise payment_delay_ms (PUT /api/lab/config) before the second checkout.',
    );
  }
  return pass(
    `Order #${newer.id}'s payment took ${payment(newer)} ms against ${payment(older)} ms for #${older.id}, and the buyer waited ${newer.processing_duration_ms} ms against ${older.processing_duration_ms} ms.`,
  );
}

export const feelTheWait: Lesson = {
  id: 'feel-the-wait',
  title: 'Feel the wait',
  anchor: 'feel-the-wait',
  stacks: ['monolith'],
  goal: 'See that the monolith buyer waits for the payment and the email, one after the other, before the answer.',
  steps: [
    {
      instructions: `Put product ${PRODUCT} in a cart on the monolith and check out, timing it.`,
      uses: { view: 'Storefronts (the Monolith pane)', command: 'curl -X POST $M/api/orders/checkout' },
      async check(lab) {
        const [order] = await newestOrders(lab, 'monolith', 1);
        if (!order)
          return fail('The monolith has no order yet: add an item to the cart and POST /api/orders/checkout.');
        if (order.status !== 'confirmed')
          return fail(`The newest monolith order is ${describeOrder(order)}, not confirmed.`);
        const share = slowShare(order);
        if (share < 0.5) {
          return fail(
            `Order #${order.id}: payment and email took ${Math.round(share * 100)} % of the ${order.processing_duration_ms} ms the buyer waited; ` +
              'are the delays at 0? Look at GET /api/lab/config.',
          );
        }
        return pass(
          `Order #${order.id} is confirmed after ${order.processing_duration_ms} ms; 6_process_payment and 9_send_email are ${Math.round(share * 100)} % of it.`,
        );
      },
      hints: [
        'The answer is a 201 with the order and its steps.',
        "Look at the order's steps: which two take nearly all of processing_duration_ms?",
        'POST /api/cart/items {"product_id": 2, "quantity": 1}, then POST /api/orders/checkout, both with the token.',
      ],
      async solve(lab) {
        await lab.buyOnce('monolith', PRODUCT, 'waiter');
      },
    },
    {
      instructions:
        'Make the payment provider slower (payment_delay_ms 2500: below PAYMENT_TIMEOUT_MS, 3000, at which the monolith gives up ' +
        'with 504 PAYMENT_TIMEOUT) and check out again.',
      uses: {
        view: 'Instructor (the knobs), then Storefronts',
        command: 'curl -X PUT $M/api/lab/config -d \'{"payment_delay_ms": 2500}\'',
      },
      check: slowerPayment,
      hints: [
        'The knob is payment_delay_ms, on PUT /api/lab/config (admin).',
        'Change it first, then check out a new cart: the knob is read by the next checkout.',
      ],
      async solve(lab) {
        await lab.expect('monolith', 'PUT', '/api/lab/config', { payment_delay_ms: 2500 });
        await lab.buyOnce('monolith', PRODUCT, 'waiter');
      },
    },
    knobBackStep('monolith', 'payment_delay_ms', slowerPayment),
  ],
};
