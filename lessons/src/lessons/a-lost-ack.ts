import type { LabHandle, Order } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import { audit, type DeadLetter, deadLetters, describeOrder, faults, hasProduct, newestOrders } from './shared';

// LESSON: A lost ack (LESSONS.md#a-lost-ack)

const PRODUCT = 4;

interface Letter extends DeadLetter {
  dead_lettered_at: string | null;
}

/** The two newest microservices orders of the product, oldest first: the two whose emails the lesson parks. */
async function thePair(lab: LabHandle): Promise<Order[]> {
  return (await newestOrders(lab, 'microservices', 2, hasProduct(PRODUCT))).reverse();
}

/**
 * email-service's dead letters of each order, by order id. A letter counts for an order only when it was parked after
 * the order was made: order ids start again after a reset, and the dead-letter queues are not emptied by one.
 */
async function lettersOf(lab: LabHandle, orders: Order[]): Promise<Map<number, Letter[]>> {
  const letters = (await deadLetters(lab)) as Letter[];
  return new Map(
    orders.map((order) => [
      order.id,
      letters.filter(
        (letter) =>
          letter.service === 'email-service' &&
          letter.event.payload?.order_id === order.id &&
          Date.parse(letter.dead_lettered_at ?? '') >= Date.parse(order.created_at),
      ),
    ]),
  );
}

const count = (letters: Map<number, Letter[]>) => [...letters.values()].reduce((sum, list) => sum + list.length, 0);

/** Both orders of the product are paid, each with exactly one letter waiting in email-service's DLQ. */
async function twoParked(lab: LabHandle): Promise<CheckResult> {
  const orders = await thePair(lab);
  if (orders.length < 2) {
    return fail(
      `The microservices have ${orders.length} order(s) of product ${PRODUCT}, not two: with smtp_down on for the ` +
        `microservices, have two buyers check out product ${PRODUCT} on the gateway.`,
    );
  }
  const letters = await lettersOf(lab, orders);
  for (const order of orders) {
    const mine = letters.get(order.id) ?? [];
    if (mine.length === 0) {
      if (order.status === 'paid') {
        return fail(
          `Order #${order.id} is paid and its email is still retrying (after 0.5 s, 2 s, 8 s): ` +
            'check again in a moment.',
        );
      }
      return fail(
        `Order #${order.id} is ${describeOrder(order)} with no letter in email-service's DLQ: switch ` +
          `smtp_down on for the microservices before the two checkouts of product ${PRODUCT}.`,
      );
    }
    if (mine.length > 1) {
      return fail(
        `Order #${order.id} has ${mine.length} letters in email-service's DLQ, not one: park two fresh ones.`,
      );
    }
  }
  const depth = (await deadLetters(lab)).filter((letter) => letter.service === 'email-service').length;
  return pass(
    `email-service's DLQ holds one letter for each of orders #${orders[0].id} and #${orders[1].id} ` +
      `(${orders.map((order) => order.status).join(', ')}): 2 for this pair, ${depth} in all.`,
  );
}

/** Exactly one of the two letters moved: its order is confirmed with one email, the other still waits, paid. */
async function movedOne(lab: LabHandle): Promise<CheckResult> {
  if ((await faults(lab, 'microservices')).smtp_down !== false) {
    return fail('smtp_down is still on for the microservices: fix the cause before a redrive (step 2).');
  }
  const orders = await thePair(lab);
  if (orders.length < 2) return fail(`Fewer than two microservices orders of product ${PRODUCT}: do step 1 first.`);
  const letters = await lettersOf(lab, orders);
  const total = count(letters);
  const doubled = orders.find((order) => (letters.get(order.id) ?? []).length > 1);
  if (doubled) {
    return fail(
      `Order #${doubled.id} has ${letters.get(doubled.id)?.length} letters in the DLQ, ${total} for the pair: ` +
        'a "moved" letter came back beside its original, so the redrive copied instead of moving (the lost ack).',
    );
  }
  const copied = orders.find((order) => order.status === 'confirmed' && (letters.get(order.id) ?? []).length > 0);
  if (copied) {
    return fail(
      `Order #${copied.id} is confirmed, yet its letter still waits in the DLQ: the redrive sent a copy and the ` +
        'original came back (the lost ack). Redrive the rest and park two fresh letters.',
    );
  }
  if (total === 2) {
    return fail(
      `Both letters still wait (orders #${orders[0].id} and #${orders[1].id}): redrive exactly one, ` +
        "POST /api/lab/dead-letters/redrive {ids: [one letter's id]} or npm run redrive -- email-service --limit 1.",
    );
  }
  if (total === 0) {
    return fail(
      `Neither order (#${orders[0].id}, #${orders[1].id}) has a letter left: both were redriven at once. This step ` +
        'moves exactly one: park two again (step 1) and redrive one of them.',
    );
  }
  const moved = orders.find((order) => (letters.get(order.id) ?? []).length === 0) as Order;
  const waiting = orders.find((order) => order !== moved) as Order;
  if (moved.status !== 'confirmed') {
    return fail(
      `Order #${moved.id}'s letter left the DLQ and the order is ${describeOrder(moved)}: its email is on its way, ` +
        'check again in a moment (still smtp_down? then it comes back to the DLQ after its retries).',
    );
  }
  const emails = (await audit(lab, 'microservices')).orders.find((entry) => entry.id === moved.id)?.emails ?? 0;
  if (emails !== 1) return fail(`Order #${moved.id} is confirmed with ${emails} email(s) in the audit, not one.`);
  if (waiting.status !== 'paid') {
    return fail(`Order #${waiting.id} is ${describeOrder(waiting)}: it should still wait, paid, for its letter.`);
  }
  return pass(
    `The pair's DLQ went from 2 to 1, not 3: order #${moved.id} is confirmed with one email, and order ` +
      `#${waiting.id} is still paid, its letter waiting. The letter moved, and its ack held.`,
  );
}

interface FaultsAnswer {
  faults: Record<string, unknown>;
  catalog: { name: string; default: unknown }[];
}

/** Both letters moved, both orders confirmed with one email each; with every fault of the microservices off. */
async function allMoved(lab: LabHandle): Promise<CheckResult> {
  const orders = await thePair(lab);
  if (orders.length < 2) return fail(`Fewer than two microservices orders of product ${PRODUCT}: do step 1 first.`);
  const letters = await lettersOf(lab, orders);
  const left = orders.find((order) => (letters.get(order.id) ?? []).length > 0);
  if (left) {
    return fail(
      `Order #${left.id}'s letter still waits in email-service's DLQ: redrive the rest ` +
        '(POST /api/lab/dead-letters/redrive).',
    );
  }
  const entries = (await audit(lab, 'microservices')).orders;
  for (const order of orders) {
    if (order.status !== 'confirmed') return fail(`Order #${order.id} is ${describeOrder(order)}: poll it.`);
    const emails = entries.find((entry) => entry.id === order.id)?.emails ?? 0;
    if (emails !== 1) return fail(`Order #${order.id} is confirmed with ${emails} email(s) in the audit, not one.`);
  }
  return pass(`No letter of orders #${orders[0].id} and #${orders[1].id} is left; both are confirmed with one email.`);
}

export const aLostAck: Lesson = {
  id: 'a-lost-ack',
  title: 'A lost ack',
  anchor: 'a-lost-ack',
  stacks: ['microservices'],
  goal:
    'Redrive one of two dead letters and see exactly one leave the DLQ: moved, not copied, because its ack was ' +
    'settled.',
  steps: [
    {
      instructions:
        "Park two letters in email-service's DLQ: switch smtp_down on for the microservices, have two buyers " +
        `check out product ${PRODUCT} on the gateway, and wait until both emails have gone through their retries.`,
      uses: {
        view: 'Faults, then Internals (Dead letters)',
        command: 'curl -X PUT $G/api/lab/faults -d \'{"smtp_down": true}\'; npm run redrive -- email-service --list',
      },
      check: twoParked,
      hints: [
        'Both checkouts answer 202 and both orders get paid: only their emails fail.',
        'Three retries (0.5 s, 2 s, 8 s) each, then the dead letter: it takes over ten seconds.',
        '`npm run redrive -- email-service --list` shows the depth; GET /api/lab/dead-letters lists the letters.',
      ],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/faults', { smtp_down: true });
        await Promise.all([
          lab.buyOnce('microservices', PRODUCT, 'parked1'),
          lab.buyOnce('microservices', PRODUCT, 'parked2'),
        ]);
        await lab.until('two letters of email-service', async () => ((await twoParked(lab)).pass ? true : undefined));
      },
    },
    {
      instructions:
        'Fix the cause first: switch smtp_down off. The letters stay where they are: a DLQ waits for a person.',
      uses: { view: 'Faults', command: 'curl -X PUT $G/api/lab/faults -d \'{"smtp_down": false}\'' },
      async check(lab) {
        const parked = await twoParked(lab);
        if (!parked.pass) return parked;
        if ((await faults(lab, 'microservices')).smtp_down !== false)
          return fail('smtp_down is still on for the microservices: switch it off (PUT /api/lab/faults).');
        return pass(`smtp_down is off and both letters still wait: ${parked.message}`);
      },
      hints: ['PUT /api/lab/faults {"smtp_down": false} on the gateway; nothing moves the letters by itself.'],
      async solve(lab) {
        await lab.expect('microservices', 'PUT', '/api/lab/faults', { smtp_down: false });
      },
    },
    {
      instructions:
        "Redrive exactly one of the two letters (the Dead letters panel's Redrive on its row, " +
        'POST /api/lab/dead-letters/redrive with its id, or npm run redrive -- email-service --id <id>; ' +
        '--limit 1 moves the oldest letter, one of yours when the DLQ held nothing else) and list again: the pair ' +
        'goes from 2 letters to 1, never to 3; that order turns confirmed, the other still waits.',
      uses: {
        view: 'Internals (Dead letters: Redrive on one row)',
        command: 'npm run redrive -- email-service --id <id>; npm run redrive -- email-service --list',
      },
      check: movedOne,
      hints: [
        '--list shows each letter with its id and its event (order_id); --limit 1 takes the one at the head.',
        'With ids, the gateway moves only those: {"ids": ["email-service:<id>"]}, each id as ' +
          'GET /api/lab/dead-letters shows it.',
        "The moved letter goes back to email-service's queue with a fresh retry budget; its email takes " +
          'email_delay_ms.',
        'A lost ack would show as 3: the original still in the DLQ, and its copy back beside it.',
      ],
      async solve(lab) {
        const orders = await thePair(lab);
        const [letter] = (await lettersOf(lab, orders)).get(orders[0].id) ?? [];
        if (!letter) return;
        await lab.expect('microservices', 'POST', '/api/lab/dead-letters/redrive', { ids: [letter.id] });
        await lab.untilFinal('microservices', orders[0].id);
      },
    },
    {
      instructions: 'Redrive the rest, and put every fault back (POST /api/lab/faults/reset on the gateway).',
      uses: {
        view: 'Internals (Dead letters: Redrive all), then Faults (reset)',
        command: 'npm run redrive -- email-service; curl -X POST $G/api/lab/faults/reset',
      },
      async check(lab) {
        const done = await allMoved(lab);
        if (!done.pass) return done;
        const now = await lab.expect<FaultsAnswer>('microservices', 'GET', '/api/lab/faults');
        const on = now.catalog.filter((fault) => now.faults[fault.name] !== fault.default).map((fault) => fault.name);
        if (on.length > 0)
          return fail(`${on.join(', ')} not at the default on the microservices: POST /api/lab/faults/reset.`);
        return pass(`${done.message} Every fault of the microservices is off again.`);
      },
      hints: ['A redrive with no ids moves every letter waiting now, each once.'],
      async solve(lab) {
        const orders = await thePair(lab);
        const ids = [...(await lettersOf(lab, orders)).values()].flat().map((letter) => letter.id);
        if (ids.length > 0) await lab.expect('microservices', 'POST', '/api/lab/dead-letters/redrive', { ids });
        for (const order of orders) await lab.untilFinal('microservices', order.id);
        await lab.expect('microservices', 'POST', '/api/lab/faults/reset');
      },
    },
  ],
};
