import { AppError, crashAt, errors, PaymentUnavailable } from '@checkout-lab/kit';
import type { MonolithDeps } from '../../../shared/deps';
import { fromCents, toCents } from '../../../shared/money';
import { cartRepository } from '../../cart';
import { inventoryRepository, readStock } from '../../products';
import { notificationRepository, sendOrderConfirmation } from '../../email';
import { chargeCard, paymentRepository } from '../../payments';
import type { UserRow } from '../../users';
import { type Order, orderRepository } from '../data-access/order.repository';
import { StepClock } from './checkout-steps';

interface CartLine {
  product_id: number;
  name: string;
  price: string;
  quantity: number;
}

export interface CheckoutResult {
  order: Order;
  /** True when an earlier checkout with the same Idempotency-Key answered this one. */
  replayed: boolean;
}

export function outOfStock(line: CartLine, available: number): AppError {
  return errors.conflict('OUT_OF_STOCK', `Not enough stock for "${line.name}": ${available} left`, {
    product_id: line.product_id,
    requested: line.quantity,
    available,
  });
}

/**
 * The checkout, faithful to the classic blocking design: eleven steps in ONE database transaction.
 *
 * Feel the wait: the buyer's response waits for every step, including a 1 s payment call and a 2 s email.
 * Watch the lock: from step 3 to COMMIT the inventory rows stay locked (SELECT ... FOR UPDATE), through the
 * payment and the email, so every other buyer of those products queues behind this one.
 * What happens when email fails: the email is sent inside the transaction: if SMTP fails, the payment, the
 * order and the stock change all roll back, and the buyer gets an error for an order that was, in fact, paid for.
 * These are deliberate: the microservices stack is the answer. Do not "fix" them here.
 */
export async function checkout(
  deps: MonolithDeps,
  user: UserRow,
  request: { startedAt: { perf: number; wall: number }; idempotencyKey?: string },
): Promise<CheckoutResult> {
  const { db, log } = deps;
  if (request.idempotencyKey) {
    const earlier = await orderRepository(db).findByIdempotencyKey(user.id, request.idempotencyKey);
    if (earlier) return { order: earlier, replayed: true };
  }
  // The knobs and faults as they are now: a PUT /api/lab/config or /faults during this checkout applies to the next one.
  const knobs = { ...deps.knobs };
  const faults = { ...deps.faults };
  const clock = new StepClock(log, request.startedAt, user.id);
  // One pooled connection for the whole checkout, taken here and given back in finally: the transaction runs on it,
  // and so does the Idempotency-Key lookup after a rollback (see the catch block).
  const runner = db.createQueryRunner();
  let orderId = 0;
  try {
    // Step 1 starts when the request arrived: it also holds the wait for a free pooled connection and the BEGIN that
    // manager.transaction sends first. Every query below goes through `manager`, the transaction's own.
    const order = await runner.manager.transaction('READ COMMITTED', async (manager) => {
      const lines = await clock.run('1_get_cart', async () => {
        // LESSON: One cart, one order (LESSONS.md#one-cart-one-order). The buyer's cart row is locked first, so a second
        // checkout of the same cart (a double click, a retry without a key) waits here until this one commits, then
        // reads the emptied cart and answers CART_EMPTY. Read without the lock, both would order, and pay for, one cart.
        // Cart edits wait on the same lock: the cart cannot change under a checkout.
        const carts = cartRepository(manager);
        await carts.lock(user.id);
        return carts.lines(user.id);
      });
      if (lines.length === 0) throw errors.badRequest('CART_EMPTY', 'The cart is empty: add items before checking out');
      const productIds = lines.map((line) => line.product_id);
      const inventory = inventoryRepository(manager);

      await clock.run('2_validate_items', async () => {
        // A plain read, no lock yet: it turns away hopeless checkouts early, but only step 3's locked read decides.
        const stock = await readStock(inventory.stockQuery(productIds));
        for (const line of lines) {
          if (line.quantity <= 0) throw errors.validation([{ field: 'quantity', message: 'must be positive' }]);
          const available = stock.get(line.product_id) ?? 0;
          if (available < line.quantity) throw outOfStock(line, available);
        }
      });

      await clock.run('3_reserve_inventory', async () => {
        // LESSON: Atomic stock reservation (LESSONS.md#atomic-stock-reservation)
        // LESSON: Watch the lock (LESSONS.md#watch-the-lock). TypeORM's pessimistic lock: setLock('pessimistic_write')
        // makes the same read end in FOR UPDATE (the debug log shows the SQL). Rows are locked in product id order, so
        // two carts with the same products queue instead of deadlocking. The locks last until COMMIT or ROLLBACK.
        const locked = inventory.stockQuery(productIds, 'pessimistic_write');
        if (log.isLevelEnabled('debug'))
          log.debug({ sql: locked.getQueryAndParameters()[0], user_id: user.id }, 'step 3 locks the stock');
        const stock = await readStock(locked);
        // The stock_db_delay_ms fault: the locked read is that much slower, and the locks are held through it.
        await inventory.delayInDatabase(faults.stock_db_delay_ms);
        for (const line of lines) {
          const available = stock.get(line.product_id) ?? 0;
          if (available < line.quantity) throw outOfStock(line, available);
        }
      });

      const totalCents = lines.reduce((sum, line) => sum + toCents(line.price) * line.quantity, 0);
      const total = fromCents(totalCents);
      const orders = orderRepository(manager);

      orderId = await clock.run('4_create_order', async () => {
        try {
          return await orders.create({ user_id: user.id, total, idempotency_key: request.idempotencyKey ?? null });
        } catch (error) {
          if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') {
            throw new DuplicateKey();
          }
          throw error;
        }
      });
      clock.orderId = orderId;

      await clock.run('5_create_order_items', () =>
        orders.addItems(
          orderId,
          lines.map((line) => ({ product_id: line.product_id, quantity: line.quantity, unit_price: line.price })),
        ),
      );

      // LESSON: Feel the wait (LESSONS.md#feel-the-wait). A slow outside call, made while this transaction holds its row locks and its connection.
      // LESSON: A charge outlives a rollback (LESSONS.md#a-charge-outlives-a-rollback). From here on, any failure rolls
      // the order back, but the provider keeps the charge: the audit lists it as an orphan charge.
      const payment = await clock.run('6_process_payment', async () => {
        try {
          return await chargeCard(deps.paymentProvider, {
            orderId,
            amount: total,
            delayMs: knobs.payment_delay_ms,
            failureRate: knobs.payment_failure_rate,
            hang: faults.payment_hang,
          });
        } catch (error) {
          if (error instanceof PaymentUnavailable) throw paymentUnavailable(error);
          throw error;
        }
      });
      if (!payment.approved) {
        throw new AppError({
          status: 402,
          code: 'PAYMENT_DECLINED',
          message: 'The payment was declined: nothing was charged and no order was kept',
        });
      }

      await clock.run('7_record_payment', () =>
        paymentRepository(manager).record({
          order_id: orderId,
          amount: total,
          status: 'succeeded',
          provider_ref: payment.provider_ref,
        }),
      );

      await clock.run('8_update_inventory', async () => {
        // quantity = quantity - n, on rows this transaction has held locked since step 3.
        for (const line of lines) await inventory.reduce(line.product_id, line.quantity);
      });

      // LESSON: A crash in the middle of a checkout (LESSONS.md#a-crash-in-the-middle-of-a-checkout). With the fault
      // crash=mid_checkout the process dies here: charged at the provider, nothing committed, the email never sent.
      crashAt('mid_checkout', deps.faults, log, faults.crash);

      // LESSON: What happens when email fails (LESSONS.md#what-happens-when-email-fails). Still inside the transaction: no email, no order.
      await clock.run('9_send_email', async () => {
        let acceptedAt: Date;
        try {
          acceptedAt = await sendOrderConfirmation(deps.mailer, {
            delayMs: knobs.email_delay_ms,
            to: user.email,
            fullName: user.full_name,
            orderId,
            total,
            items: lines.map((line) => ({ name: line.name, quantity: line.quantity, unit_price: line.price })),
          });
        } catch (error) {
          log.error({ err: error, order_id: orderId }, 'the confirmation email could not be sent: rolling back');
          throw new AppError({
            status: 503,
            code: 'EMAIL_FAILED',
            message: 'The confirmation email could not be sent, so the whole order was rolled back: try again later',
          });
        }
        await orders.markEmailSent(orderId, acceptedAt);
      });

      await clock.run('10_create_notification', () =>
        notificationRepository(manager).create({
          user_id: user.id,
          order_id: orderId,
          type: 'order_confirmed',
          message: `Your order #${orderId} is confirmed (total ${total}).`,
        }),
      );

      await clock.run('11_clear_cart', () => cartRepository(manager).clear(user.id));

      // The buyer's wait, measured up to here; only this bookkeeping UPDATE and the COMMIT come after it.
      await orders.confirm(orderId, { processing_duration_ms: clock.elapsedMs, steps: clock.steps });
      // The answer is read inside the transaction, on the connection this checkout already holds: after COMMIT, asking
      // the pool for another connection would queue this buyer behind every checkout still waiting for one.
      const saved = await orders.findById(orderId);
      if (!saved) throw new Error(`order ${orderId} vanished before commit`);
      const { user_id: _owner, ...confirmed } = saved;
      return confirmed;
    });
    // manager.transaction has committed when it returns; on a throw it has rolled back.
    log.info(
      { order_id: orderId, user_id: user.id, processing_duration_ms: order.processing_duration_ms },
      'checkout committed',
    );
    return { order, replayed: false };
  } catch (error) {
    // LESSON: The saga and its compensation (LESSONS.md#the-saga-and-its-compensation). One ROLLBACK undoes it all.
    // manager.transaction sent that ROLLBACK before rethrowing; the connection is still this checkout's.
    if (request.idempotencyKey) {
      // Another checkout with the same key won the race and committed first (this one then hits the unique key, or
      // finds the cart it emptied): answer with that order. The lookup runs on the connection this checkout still
      // holds: asking the pool for a second one here deadlocks the pool when as many checkouts fail at once as it has
      // connections (each holds one and waits for another that never comes).
      const earlier = await orderRepository(runner.manager)
        .findByIdempotencyKey(user.id, request.idempotencyKey)
        .catch(() => null);
      if (earlier) return { order: earlier, replayed: true };
    }
    if (error instanceof AppError) {
      log.warn({ user_id: user.id, code: error.code, steps: clock.steps.length }, 'checkout rolled back');
    }
    throw error;
  } finally {
    await runner.release();
  }
}

/**
 * No decision came back from the card provider: the order is rolled back, though the provider may have taken the
 * money (a timeout is exactly that case: the audit's orphan_charges shows it).
 */
export function paymentUnavailable(error: PaymentUnavailable): AppError {
  return error.reason === 'timeout'
    ? new AppError({
        status: 504,
        code: 'PAYMENT_TIMEOUT',
        message: 'The card provider did not answer in time, so the order was rolled back: you may have been charged',
      })
    : new AppError({
        status: 502,
        code: 'PAYMENT_UNAVAILABLE',
        message: 'The card provider could not be reached, so the order was rolled back: try again later',
      });
}

/** The Idempotency-Key is already on an order of this user (a concurrent checkout committed it first). */
export class DuplicateKey extends AppError {
  constructor() {
    super({
      status: 409,
      code: 'IDEMPOTENCY_CONFLICT',
      message: 'A checkout with this Idempotency-Key already exists',
    });
  }
}
