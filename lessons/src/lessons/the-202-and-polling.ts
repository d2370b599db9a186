import { findStep, type LabHandle, type Order } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import { describeOrder, newestOrders, knobBackStep } from './shared';

// LESSON: The 202 and polling (LESSONS.md#the-202-and-polling)

const PRODUCT = 2;
const payment = (order: Order) => findStep(order, '6_process_payment')?.duration_ms ?? 0;

/** A confirmed order whose buyer waited less than its payment alone took: the answer came before the work. */
function answeredFirst(order: Order): CheckResult {
  if (order.status !== 'confirmed')
    return fail(`The newest microservices order is ${describeOrder(order)}: poll it until it is confirmed.`);
  if (!(order.processing_duration_ms < payment(order))) {
    return fail(
      `Order #${order.id}: the buyer waited ${order.processing_duration_ms} ms, its 6_process_payment took ${payment(order)} ms: ` +
        'the answer did not come before the payment.',
    );
  }
  return pass(
    `Order #${order.id}: 202 after ${order.processing_duration_ms} ms, confirmed after ${order.completion_duration_ms} ms; ` +
      `its payment alone took ${payment(order)} ms, after the answer.`,
  );
}

async function slowerPaymentSameAnswer(lab: LabHandle): Promise<CheckResult> {
  const [newer, older] = await newestOrders(lab, 'microservices', 2, (order) => order.status === 'confirmed');
  if (!older)
    return fail('Fewer than two confirmed microservices orders: check out, raise payment_delay_ms, check out again.');
  if (payment(newer) < 1.5 * payment(older)) {
    return fail(
      `Order #${newer.id}'s payment took ${payment(newer)} ms, #${older.id}'s ${payment(older)} ms: not clearly slower. ` +
        'Raise payment_delay_ms on the gateway (PUT /api/lab/config) before the second checkout.',
    );
  }
  const answered = answeredFirst(newer);
  if (!answered.pass) return answered;
  return pass(
    `The payment took ${payment(newer)} ms instead of ${payment(older)} ms; the buyer still waited ${newer.processing_duration_ms} ms ` +
      `(${older.processing_duration_ms} ms before).`,
  );
}

async function checkoutAndPoll(lab: LabHandle): Promise<void> {
  const answer = await lab.buyOnce('microservices', PRODUCT, 'poller');
  if (answer.status === 202) await lab.untilFinal('microservices', answer.body.id);
}

export const the202AndPolling: Lesson = {
  id: 'the-202-and-polling',
  title: 'The 202 and polling',
  anchor: 'the-202-and-polling',
  stacks: ['microservices'],
  goal: 'See the microservices answer 202 before the payment and the email, and the order move on while you poll it.',
  steps: [
    {
      instructions: `Put product ${PRODUCT} in a cart on the gateway, check out (202, Location), and poll the order until it is confirmed.`,
      uses: {
        view: 'Storefronts (the Microservices pane)',
        command: 'curl -i -X POST $G/api/orders/checkout; curl $G/api/orders/<id>',
      },
      async check(lab) {
        const [order] = await newestOrders(lab, 'microservices', 1);
        if (!order)
          return fail('The microservices have no order yet: add an item to the cart on the gateway and check out.');
        return answeredFirst(order);
      },
      hints: [
        'The gateway is $G (port 9000); log in there, its tokens are its own.',
        'The 202 carries a Location header: GET it until the status is confirmed.',
      ],
      solve: checkoutAndPoll,
    },
    {
      instructions: 'Make the payment slower on the gateway (payment_delay_ms 2500) and do it again.',
      uses: {
        view: 'Instructor (the knobs)',
        command: 'curl -X PUT $G/api/lab/config -d \'{"payment_delay_ms": 2500}\'',
      },
      check: slowerPaymentSameAnswer,
      hints: [
        'PUT /api/lab/config on the gateway, then a new cart and checkout.',
        'Compare processing_duration_ms with completion_duration_ms.',
      ],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/config', { payment_delay_ms: 2500 });
        await checkoutAndPoll(lab);
      },
    },
    knobBackStep('microservices', 'payment_delay_ms', slowerPaymentSameAnswer),
  ],
};
