import { AppError, crashAt, errors, PaymentUnavailable, refundCharge } from '@checkout-lab/kit';
import type { EntityManager } from 'typeorm';
import type { MonolithDeps } from '../../../shared/deps';
import { fromCents, toCents } from '../../../shared/money';
import { cartRepository } from '../../cart';
import { notificationRepository, sendOrderConfirmation } from '../../email';
import { chargeCard, paymentRepository } from '../../payments';
import { inventoryRepository, readStock } from '../../products';
import { type UserRow, userRepository } from '../../users';
import { type Order, orderRepository } from '../data-access/order.repository';
import { StepClock } from './checkout-steps';
import { type CheckoutResult, DuplicateKey, outOfStock, paymentUnavailable } from './checkout.use-case';

/*
 * The checkout with the monolith's fixes (docs/api.md "Fixes"; LESSONS.md "Is it the architecture or the
 * transaction?"), beside the blocking one in checkout.use-case.ts: diff the two files to see what each fix changes.
 * The same eleven steps, the same modules, the same faults; what moves is where the transaction ends.
 *
 * - short_lock: steps 1 to 3 run before any transaction, and step 3 takes the stock with one conditional UPDATE per
 *   line, committed at once (the row lock lasts one statement). Whatever fails later gives the stock back.
 * - payment_outside_transaction: a first transaction keeps the order "pending" with its stock and empties the cart;
 *   then the charge (step 6), with no transaction open; then a second transaction records it and confirms. A decline
 *   cancels the order and gives the stock back; a failure after the charge also refunds it.
 * - async_email: step 9 writes a job in the order's transaction instead of sending; the job worker sends it after
 *   COMMIT and retries; email_sent_at is set when SMTP accepts it.
 * - accept_then_process: the first transaction also writes a process_payment job and the buyer gets 202 at once; the
 *   job does steps 6 to 10, and the order moves from "pending" to "confirmed" or "cancelled" as on the microservices.
 */

interface Line {
  product_id: number;
  name: string;
  price: string;
  quantity: number;
}

/** What the first transaction of the split checkout leaves for the rest: a pending order holding its stock. */
interface PendingOrder {
  id: number;
  user: UserRow;
  lines: Line[];
  total: string;
}

type Settings = Pick<MonolithDeps, 'knobs' | 'faults' | 'fixes'>;

/** The switches, knobs and faults as they are now: a change during a checkout applies to the next one. */
function settingsNow(deps: MonolithDeps): Settings {
  return { knobs: { ...deps.knobs }, faults: { ...deps.faults }, fixes: { ...deps.fixes } };
}

/** One checkout as it runs: who, since when, with which settings, and (short_lock) the stock already taken. */
interface Run {
  deps: MonolithDeps;
  user: UserRow;
  request: { startedAt: { perf: number; wall: number }; idempotencyKey?: string };
  clock: StepClock;
  settings: Settings;
  taken: Line[] | null;
}

export async function checkoutWithFixes(
  deps: MonolithDeps,
  user: UserRow,
  request: { startedAt: { perf: number; wall: number }; idempotencyKey?: string },
): Promise<CheckoutResult> {
  const { db, log } = deps;
  if (request.idempotencyKey) {
    const earlier = await orderRepository(db).findByIdempotencyKey(user.id, request.idempotencyKey);
    if (earlier) return { order: earlier, replayed: true };
  }
  const settings = settingsNow(deps);
  const { fixes } = settings;
  const clock = new StepClock(log, request.startedAt, user.id);
  // LESSON: Is it the architecture or the transaction? (LESSONS.md#is-it-the-architecture-or-the-transaction)
  // short_lock: steps 1 to 3 before any transaction. The stock taken here is given back if anything fails later.
  let taken: Line[] | null = null;
  if (fixes.short_lock) {
    const lines = await clock.run('1_get_cart', () => cartRepository(db).lines(user.id));
    if (lines.length === 0) throw errors.badRequest('CART_EMPTY', 'The cart is empty: add items before checking out');
    await clock.run('2_validate_items', () => validate(lines, db));
    await clock.run('3_reserve_inventory', () => takeStock(deps, lines, settings));
    taken = lines;
  }

  try {
    if (!fixes.payment_outside_transaction && !fixes.accept_then_process) {
      // One transaction, as in the blocking checkout; with short_lock it holds no stock lock, with async_email it
      // does not wait for the mail server.
      const run: Run = { deps, user, request, clock, settings, taken };
      const order = await db.transaction('READ COMMITTED', (manager) => oneTransaction(run, manager));
      taken = null;
      return { order, replayed: false };
    }

    // The split checkout. Transaction 1: the order, pending, holds its stock; the cart is emptied.
    const run: Run = { deps, user, request, clock, settings, taken };
    const pending = await db.transaction('READ COMMITTED', (manager) => acceptOrder(run, manager));
    taken = null; // from here the order holds the stock: cancelling it gives it back
    if (fixes.accept_then_process) {
      const order = await orderRepository(db).findById(pending.id);
      if (!order) throw new Error(`order ${pending.id} vanished after commit`);
      const { user_id: _owner, ...accepted } = order;
      log.info({ order_id: pending.id, user_id: user.id }, 'checkout accepted: the payment job takes it from here');
      return { order: accepted, replayed: false };
    }
    return { order: await payForOrder(deps, pending, clock, settings), replayed: false };
  } catch (error) {
    if (taken) await giveBack(deps, taken);
    if (request.idempotencyKey && error instanceof DuplicateKey) {
      const earlier = await orderRepository(db).findByIdempotencyKey(user.id, request.idempotencyKey);
      if (earlier) return { order: earlier, replayed: true };
    }
    throw error;
  }
}

/** Step 2: a plain read that turns hopeless checkouts away early. */
async function validate(lines: Line[], db: MonolithDeps['db'] | EntityManager): Promise<void> {
  const stock = await readStock(inventoryRepository(db).stockQuery(lines.map((line) => line.product_id)));
  for (const line of lines) {
    if (line.quantity <= 0) throw errors.validation([{ field: 'quantity', message: 'must be positive' }]);
    const available = stock.get(line.product_id) ?? 0;
    if (available < line.quantity) throw outOfStock(line, available);
  }
}

/**
 * short_lock's step 3: one conditional UPDATE per line, each committed on its own, in product id order. A line that
 * finds too few units gives back the lines taken before it.
 */
async function takeStock(deps: MonolithDeps, lines: Line[], settings: Settings): Promise<void> {
  const inventory = inventoryRepository(deps.db);
  // The stock_db_delay_ms fault, inside PostgreSQL as on the blocking path; here no row is locked while it sleeps.
  await inventory.delayInDatabase(settings.faults.stock_db_delay_ms);
  const done: Line[] = [];
  for (const line of lines) {
    if (!(await inventory.take(line.product_id, line.quantity))) {
      await giveBack(deps, done);
      const stock = await readStock(inventory.stockQuery([line.product_id]));
      throw outOfStock(line, stock.get(line.product_id) ?? 0);
    }
    done.push(line);
  }
}

async function giveBack(deps: MonolithDeps, lines: Line[]): Promise<void> {
  const inventory = inventoryRepository(deps.db);
  for (const line of lines) await inventory.giveBack(line.product_id, line.quantity);
}

/**
 * Steps 1 to 3 inside the transaction, as the blocking checkout does them, or (short_lock) the cart locked again and
 * checked against the lines already taken: a second checkout of the same cart finds it emptied and gives its stock back.
 */
async function lockedLines({ user, clock, settings, taken }: Run, manager: EntityManager): Promise<Line[]> {
  const carts = cartRepository(manager);
  if (taken) {
    await carts.lock(user.id);
    const now = await carts.lines(user.id);
    if (now.length === 0) throw errors.badRequest('CART_EMPTY', 'The cart is empty: add items before checking out');
    const same =
      now.length === taken.length &&
      now.every((line, i) => line.product_id === taken[i].product_id && line.quantity === taken[i].quantity);
    if (!same) throw errors.conflict('CART_CHANGED', 'The cart changed during the checkout: check out again');
    return taken;
  }
  const lines = await clock.run('1_get_cart', async () => {
    await carts.lock(user.id);
    return carts.lines(user.id);
  });
  if (lines.length === 0) throw errors.badRequest('CART_EMPTY', 'The cart is empty: add items before checking out');
  await clock.run('2_validate_items', () => validate(lines, manager));
  await clock.run('3_reserve_inventory', async () => {
    const inventory = inventoryRepository(manager);
    const stock = await readStock(
      inventory.stockQuery(
        lines.map((line) => line.product_id),
        'pessimistic_write',
      ),
    );
    await inventory.delayInDatabase(settings.faults.stock_db_delay_ms);
    for (const line of lines) {
      const available = stock.get(line.product_id) ?? 0;
      if (available < line.quantity) throw outOfStock(line, available);
    }
  });
  return lines;
}

async function createOrder(
  manager: EntityManager,
  user: UserRow,
  lines: Line[],
  clock: StepClock,
  idempotencyKey: string | undefined,
): Promise<{ id: number; total: string }> {
  const total = fromCents(lines.reduce((sum, line) => sum + toCents(line.price) * line.quantity, 0));
  const orders = orderRepository(manager);
  const id = await clock.run('4_create_order', async () => {
    try {
      return await orders.create({ user_id: user.id, total, idempotency_key: idempotencyKey ?? null });
    } catch (error) {
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') throw new DuplicateKey();
      throw error;
    }
  });
  clock.orderId = id;
  await clock.run('5_create_order_items', () =>
    orders.addItems(
      id,
      lines.map((line) => ({ product_id: line.product_id, quantity: line.quantity, unit_price: line.price })),
    ),
  );
  return { id, total };
}

/** Step 6: the charge, with the order's idempotency key. No decision: the provider may hold the money. */
async function charge(deps: MonolithDeps, order: { id: number; total: string }, clock: StepClock, settings: Settings) {
  return clock.run('6_process_payment', async () => {
    try {
      return await chargeCard(deps.paymentProvider, {
        orderId: order.id,
        amount: order.total,
        delayMs: settings.knobs.payment_delay_ms,
        failureRate: settings.knobs.payment_failure_rate,
        hang: settings.faults.payment_hang,
      });
    } catch (error) {
      if (error instanceof PaymentUnavailable) throw paymentUnavailable(error);
      throw error;
    }
  });
}

/** Step 9: sent now (a failure throws EMAIL_FAILED) or, with async_email, a job written in this transaction. */
async function confirmationEmail(
  deps: MonolithDeps,
  manager: EntityManager,
  order: PendingOrder,
  clock: StepClock,
  settings: Settings,
): Promise<void> {
  // LESSON: A crash in the middle of a checkout (LESSONS.md#a-crash-in-the-middle-of-a-checkout). The same point with
  // the fixes on: charged, step 9 not reached; what is lost then depends on what the fixes had already committed.
  crashAt('mid_checkout', deps.faults, deps.log, settings.faults.crash);
  await clock.run('9_send_email', async () => {
    if (settings.fixes.async_email) {
      // LESSON: Is it the architecture or the transaction? (LESSONS.md#is-it-the-architecture-or-the-transaction)
      // async_email: the email is a row of the job queue, committed with the order; the worker sends it.
      await deps.jobs.add(manager, 'send_order_confirmation', { order_id: order.id });
      return;
    }
    let acceptedAt: Date;
    try {
      acceptedAt = await sendOrderConfirmation(deps.mailer, confirmationOf(order, settings.knobs.email_delay_ms));
    } catch (error) {
      deps.log.error({ err: error, order_id: order.id }, 'the confirmation email could not be sent');
      throw new AppError({
        status: 503,
        code: 'EMAIL_FAILED',
        message: 'The confirmation email could not be sent, so the order was not kept: try again later',
      });
    }
    await orderRepository(manager).markEmailSent(order.id, acceptedAt);
  });
}

function confirmationOf(order: PendingOrder, delayMs: number) {
  return {
    delayMs,
    to: order.user.email,
    fullName: order.user.full_name,
    orderId: order.id,
    total: order.total,
    items: order.lines.map((line) => ({ name: line.name, quantity: line.quantity, unit_price: line.price })),
  };
}

async function notify(manager: EntityManager, order: PendingOrder, clock: StepClock): Promise<void> {
  await clock.run('10_create_notification', () =>
    notificationRepository(manager).create({
      user_id: order.user.id,
      order_id: order.id,
      type: 'order_confirmed',
      message: `Your order #${order.id} is confirmed (total ${order.total}).`,
    }),
  );
}

/** Step 7: the succeeded charge, with the provider's id of it. */
async function recordPayment(manager: EntityManager, order: PendingOrder, providerRef: string, clock: StepClock) {
  await clock.run('7_record_payment', () =>
    paymentRepository(manager).record({
      order_id: order.id,
      amount: order.total,
      status: 'succeeded',
      provider_ref: providerRef,
    }),
  );
}

/** Step 8 on the rows step 3 locked (quantity = quantity - n): not with short_lock, which took the stock already. */
async function reduceStock(manager: EntityManager, lines: Line[], clock: StepClock): Promise<void> {
  await clock.run('8_update_inventory', async () => {
    const inventory = inventoryRepository(manager);
    for (const line of lines) await inventory.reduce(line.product_id, line.quantity);
  });
}

/** The blocking checkout's one transaction, with short_lock's stock already taken and async_email's job. */
async function oneTransaction(run: Run, manager: EntityManager): Promise<Order> {
  const { deps, user, request, clock, settings, taken } = run;
  const lines = await lockedLines(run, manager);
  const created = await createOrder(manager, user, lines, clock, request.idempotencyKey);
  const order: PendingOrder = { ...created, user, lines };
  const payment = await charge(deps, order, clock, settings);
  if (!payment.approved) {
    throw new AppError({
      status: 402,
      code: 'PAYMENT_DECLINED',
      message: 'The payment was declined: nothing was charged and no order was kept',
    });
  }
  await recordPayment(manager, order, payment.provider_ref, clock);
  if (!taken) await reduceStock(manager, lines, clock);
  await confirmationEmail(deps, manager, order, clock, settings);
  await notify(manager, order, clock);
  await clock.run('11_clear_cart', () => cartRepository(manager).clear(user.id));
  const orders = orderRepository(manager);
  await orders.confirm(order.id, { processing_duration_ms: clock.elapsedMs, steps: clock.steps });
  const saved = await orders.findById(order.id);
  if (!saved) throw new Error(`order ${order.id} vanished before commit`);
  const { user_id: _owner, ...confirmed } = saved;
  return confirmed;
}

/**
 * The split checkout's first transaction: steps 1 to 5, the stock taken now (step 8 comes forward: the order holds it
 * while it is pending), the cart emptied (step 11 too: a second checkout of it finds nothing), and with
 * accept_then_process the payment job. It commits in milliseconds: no lock outlives it.
 */
async function acceptOrder(run: Run, manager: EntityManager): Promise<PendingOrder> {
  const { deps, user, request, clock, settings, taken } = run;
  const lines = await lockedLines(run, manager);
  const created = await createOrder(manager, user, lines, clock, request.idempotencyKey);
  if (!taken) await reduceStock(manager, lines, clock);
  await clock.run('11_clear_cart', () => cartRepository(manager).clear(user.id));
  if (settings.fixes.accept_then_process) {
    // LESSON: Is it the architecture or the transaction? (LESSONS.md#is-it-the-architecture-or-the-transaction)
    // accept_then_process: the payment is a job committed with the order, and the buyer's answer is the 202.
    await deps.jobs.add(manager, 'process_payment', { order_id: created.id, started_at: request.startedAt.wall });
    await orderRepository(manager).markAccepted(created.id, {
      processing_duration_ms: clock.elapsedMs,
      steps: clock.steps,
    });
  }
  return { ...created, user, lines };
}

/**
 * Steps 6 to 10 of a pending order, with no transaction open during the charge: payment_outside_transaction runs it
 * for the buyer who waits, the process_payment job for accept_then_process. A decline cancels the order and gives
 * its stock back; a failure after the charge refunds it too (a local compensation, in one process).
 */
async function payForOrder(
  deps: MonolithDeps,
  order: PendingOrder,
  clock: StepClock,
  settings: Settings,
  answered = false,
): Promise<Order> {
  const payment = await charge(deps, order, clock, settings).catch(async (error: unknown) => {
    // No decision came back. A job tries again (the same key finds the charge); the buyer waiting gets the error,
    // and the order is cancelled: the audit shows the charge if the provider took it after all.
    if (!answered) await cancel(deps, order, clock, 'payment_unavailable');
    throw error;
  });
  if (!payment.approved) {
    await cancel(deps, order, clock, 'payment_declined');
    throw new AppError({
      status: 402,
      code: 'PAYMENT_DECLINED',
      message: 'The payment was declined: nothing was charged, the order is cancelled and its stock released',
    });
  }
  try {
    return await deps.db.transaction('READ COMMITTED', async (manager) => {
      await recordPayment(manager, order, payment.provider_ref, clock);
      await confirmationEmail(deps, manager, order, clock, settings);
      await notify(manager, order, clock);
      const orders = orderRepository(manager);
      const elapsed = Date.now() - clock.startedWallMs;
      await orders.finish(order.id, {
        status: 'confirmed',
        failure_reason: null,
        ...(answered ? {} : { processing_duration_ms: clock.elapsedMs }),
        completion_duration_ms: answered ? elapsed : clock.elapsedMs,
        steps: clock.steps,
      });
      const saved = await orders.findById(order.id);
      if (!saved) throw new Error(`order ${order.id} vanished before commit`);
      const { user_id: _owner, ...confirmed } = saved;
      return confirmed;
    });
  } catch (error) {
    // Charged, but the rest failed (the email, with async_email off): the money goes back, then the stock.
    await refundCharge(deps.paymentProvider, payment.provider_ref).catch((refundError: unknown) =>
      deps.log.error({ err: refundError, order_id: order.id }, 'the refund failed: the audit shows the charge'),
    );
    const reason = error instanceof AppError && error.code === 'EMAIL_FAILED' ? 'email_failed' : 'internal_error';
    await cancel(deps, order, clock, reason);
    throw error;
  }
}

/** Cancels a pending order and gives its stock back, in one transaction. */
async function cancel(deps: MonolithDeps, order: PendingOrder, clock: StepClock, reason: string): Promise<void> {
  await deps.db.transaction('READ COMMITTED', async (manager) => {
    const inventory = inventoryRepository(manager);
    for (const line of order.lines) await inventory.giveBack(line.product_id, line.quantity);
    await orderRepository(manager).finish(order.id, {
      status: 'cancelled',
      failure_reason: reason,
      completion_duration_ms: Date.now() - clock.startedWallMs,
      steps: clock.steps,
    });
  });
  deps.log.warn({ order_id: order.id, reason }, 'order cancelled, its stock given back');
}

/**
 * The process_payment job (accept_then_process): steps 6 to 10 of an order still pending. A second run of the same
 * job (a retry after a crash or a timeout) finds the order final and does nothing, or charges with the same key.
 */
export async function processPaymentJob(deps: MonolithDeps, payload: { order_id: number; started_at: number }) {
  const stored = await orderRepository(deps.db).findById(payload.order_id);
  if (stored?.status !== 'pending') return;
  const user = await userRepository(deps.db).findById(stored.user_id);
  if (!user) throw new Error(`the user of order ${stored.id} is gone`);
  const order = await pendingOrderOf(deps, stored, user);
  const clock = StepClock.resume(deps.log, payload.started_at, user.id, stored.steps);
  clock.orderId = order.id;
  const settings = settingsNow(deps);
  try {
    await payForOrder(deps, order, clock, settings, true);
  } catch (error) {
    // A decline or an email failure has already cancelled the order: the job is done. No answer from the provider
    // is worth another try: the job throws, and the worker runs it again later with the same idempotency key.
    if (error instanceof AppError && error.code !== 'PAYMENT_TIMEOUT' && error.code !== 'PAYMENT_UNAVAILABLE') return;
    throw error;
  }
}

/**
 * The send_order_confirmation job (async_email): step 9 after COMMIT. A job that runs again after the email went out
 * (a crash between the send and the end of the job) finds email_sent_at set and sends nothing.
 */
export async function sendConfirmationJob(deps: MonolithDeps, payload: { order_id: number }) {
  const orders = orderRepository(deps.db);
  const stored = await orders.findById(payload.order_id);
  if (!stored || stored.email_sent_at || stored.status !== 'confirmed') return;
  const user = await userRepository(deps.db).findById(stored.user_id);
  if (!user) return;
  const order = await pendingOrderOf(deps, stored, user);
  const acceptedAt = await sendOrderConfirmation(deps.mailer, confirmationOf(order, deps.knobs.email_delay_ms));
  await orders.markEmailSent(stored.id, acceptedAt);
}

/** A stored order as the job steps read it: its buyer, and its lines with the products' names. */
async function pendingOrderOf(
  deps: MonolithDeps,
  stored: Order & { user_id: number },
  user: UserRow,
): Promise<PendingOrder> {
  const productIds = stored.items.map((item) => item.product_id);
  const rows: { id: number; name: string }[] =
    productIds.length === 0
      ? []
      : await deps.db.query('SELECT id, name FROM products WHERE id = ANY($1::int[])', [productIds]);
  const names = new Map(rows.map((row) => [row.id, row.name]));
  return {
    id: stored.id,
    user,
    total: stored.total,
    lines: stored.items.map((item) => ({
      product_id: item.product_id,
      name: names.get(item.product_id) ?? `product ${item.product_id}`,
      price: item.unit_price,
      quantity: item.quantity,
    })),
  };
}
