import { findStep } from '../lab-handle';
import { fail, type Lesson, pass } from '../lesson';
import { HOT_PRODUCT, HOT_STOCK, hasProduct, newestOrders, RUSH_BUYERS, rush, stockAccountsFor } from './shared';

// LESSON: Atomic stock reservation (LESSONS.md#atomic-stock-reservation)

const PRODUCT = HOT_PRODUCT;

export const atomicStockReservation: Lesson = {
  id: 'atomic-stock-reservation',
  title: 'Atomic stock reservation',
  anchor: 'atomic-stock-reservation',
  stacks: ['microservices'],
  goal: 'See the microservices sell the last units exactly once without any buyer waiting for a lock.',
  steps: [
    {
      instructions:
        `After a reset, have more buyers than the ${HOT_STOCK} units of product ${PRODUCT} check it out on the gateway at ` +
        'the same moment, and poll their orders until each is final.',
      uses: {
        view: "Instructor → Black Friday demo (the microservices' line), Internals (no lock waits)",
        command: 'npm run bench -- --scenario black-friday (or 50 buyers of a product with stock 20)',
      },
      async check(lab) {
        const orders = await newestOrders(lab, 'microservices', 10_000, hasProduct(PRODUCT));
        const inFlight = orders.filter((order) => order.status !== 'confirmed' && order.status !== 'cancelled');
        if (inFlight.length > 0)
          return fail(
            `${inFlight.length} order(s) of product ${PRODUCT} are still in flight: poll them until they are final.`,
          );
        const confirmed = orders.filter((order) => order.status === 'confirmed');
        if (confirmed.length < 2) {
          return fail(
            `The microservices have ${confirmed.length} confirmed order(s) of product ${PRODUCT}: run the rush on the gateway.`,
          );
        }
        const { sold, stock, problem } = await stockAccountsFor(lab, 'microservices', PRODUCT, confirmed);
        if (problem) return problem;
        // No lock held across a remote call: each reservation is short beside the payment of the same order.
        const locked = confirmed.find((order) => {
          const reserve = findStep(order, '3_reserve_inventory')?.duration_ms ?? 0;
          return reserve >= (findStep(order, '6_process_payment')?.duration_ms ?? 0);
        });
        if (locked)
          return fail(`Order #${locked.id}'s reservation took as long as its payment: did it wait for a lock?`);
        const cancelled = orders.filter((order) => order.failure_reason === 'out_of_stock').length;
        return pass(
          `${sold} sold, ${stock} left, never negative; ${cancelled} order(s) cancelled out_of_stock; every reservation was short beside its payment.`,
        );
      },
      hints: [
        'The gateway answers every buyer 202; the reservation happens in product-service, one UPDATE per line.',
        'Poll the orders: the losers end cancelled with failure_reason out_of_stock (or get 409 OUT_OF_STOCK at once).',
      ],
      async solve(lab) {
        await lab.expect('microservices', 'POST', '/api/lab/reset');
        const answers = await rush(lab, 'microservices', PRODUCT, RUSH_BUYERS);
        for (const answer of answers) if (answer.status === 202) await lab.untilFinal('microservices', answer.body.id);
      },
    },
  ],
};
