import { findStep, stepEnd, stepStart } from '../lab-handle';
import { fail, type Lesson, pass } from '../lesson';
import { HOT_PRODUCT, HOT_STOCK, hasProduct, newestOrders, RUSH_BUYERS, rush, stockAccountsFor } from './shared';

// LESSON: Black Friday (LESSONS.md#black-friday)

const PRODUCT = HOT_PRODUCT;

export const blackFriday: Lesson = {
  id: 'black-friday',
  title: 'Black Friday',
  anchor: 'black-friday',
  stacks: ['monolith'],
  goal: 'See one hot product turn the monolith into a queue: the buyers are served one checkout apart, and nobody oversells.',
  steps: [
    {
      instructions:
        `Have more buyers than the ${HOT_STOCK} units of product ${PRODUCT} check it out at the same moment (after a reset), ` +
        'and browse the shop while they wait.',
      uses: {
        view: 'Instructor → Black Friday demo, then Load runs ("Each order\'s wait")',
        command: 'npx tsx monolith/scripts/black-friday.ts --reset --buyers 20',
      },
      async check(lab) {
        const orders = (await newestOrders(lab, 'monolith', 10_000, hasProduct(PRODUCT))).filter(
          (order) => order.status === 'confirmed',
        );
        if (orders.length < 2) {
          return fail(
            `The monolith has ${orders.length} confirmed order(s) of product ${PRODUCT}: run the rush (black-friday.ts --reset).`,
          );
        }
        const { sold, stock, problem } = await stockAccountsFor(lab, 'monolith', PRODUCT, orders);
        if (problem) return problem;
        // The staircase: in the order they took the stock, each buyer took it only once the one before was at its email.
        const byStock = orders
          .map((order) => ({
            order,
            stock: findStep(order, '3_reserve_inventory'),
            email: findStep(order, '9_send_email'),
          }))
          .filter((entry) => entry.stock && entry.email)
          .sort((a, b) => stepEnd(a.stock!) - stepEnd(b.stock!));
        for (let i = 1; i < byStock.length; i++) {
          const [before, after] = [byStock[i - 1], byStock[i]];
          if (stepEnd(after.stock!) < stepStart(before.email!)) {
            return fail(
              `Order #${after.order.id} took its stock before order #${before.order.id} reached its email: they did not queue. ` +
                'Were the buyers at the same moment, with the fixes off (GET /api/lab/fixes)?',
            );
          }
        }
        const slowest = byStock[byStock.length - 1].order;
        return pass(
          `${sold} sold, ${stock} left, no oversell; the ${orders.length} buyers were served one after another, ` +
            `the last (#${slowest.id}) after ${slowest.processing_duration_ms} ms against ${byStock[0].order.processing_duration_ms} ms for the first.`,
        );
      },
      hints: [
        'All at the same moment: the script starts every checkout at once.',
        "Compare the orders' 3_reserve_inventory: each lasts until the buyer in front has committed.",
        'npx tsx monolith/scripts/black-friday.ts --reset --buyers 20',
      ],
      async solve(lab) {
        await lab.expect('monolith', 'POST', '/api/lab/reset');
        await rush(lab, 'monolith', PRODUCT, RUSH_BUYERS);
      },
    },
  ],
};
