import { AppError, errors } from '@checkout-lab/kit';
import type { QueryRunner } from 'typeorm';
import type { MonolithDeps } from '../../../shared/deps';
import { fromCents, toCents } from '../../../shared/money';
import { sendOrderConfirmation } from '../../email/domain/confirmation-email';
import { paymentRepository } from '../../payments/data-access/payment.repository';
import { chargeCard } from '../../payments/domain/payment-gateway';
import type { UserRow } from '../../users/data-access/user.entity';
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

function outOfStock(line: CartLine, available: number): AppError {
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
  // The knobs as they are now: a PUT /api/lab/config during this checkout applies to the next one.
  const knobs = { ...deps.knobs };
  const clock = new StepClock(log, request.startedAt, user.id);
  const runner: QueryRunner = db.createQueryRunner();
  let orderId = 0;
  try {
    // Step 1 starts when the request arrived: it also holds the wait for a free pooled connection and the BEGIN.
    const lines = await clock.run('1_get_cart', async () => {
      await runner.connect();
      await runner.startTransaction('READ COMMITTED');
      // LESSON: One cart, one order (LESSONS.md#one-cart-one-order). The buyer's cart row is locked first, so a second
      // checkout of the same cart (a double click, a retry without a key) waits here until this one commits, then
      // reads the emptied cart and answers CART_EMPTY. Read without the lock, both would order, and pay for, one cart.
      // Cart edits wait on the same lock: the cart cannot change under a checkout.
      await runner.query('SELECT id FROM carts WHERE user_id = $1 FOR UPDATE', [user.id]);
      const rows: CartLine[] = await runner.query(
        `SELECT ci.product_id, p.name, p.price, ci.quantity
         FROM carts c JOIN cart_items ci ON ci.cart_id = c.id JOIN products p ON p.id = ci.product_id
         WHERE c.user_id = $1 ORDER BY ci.product_id`,
        [user.id],
      );
      return rows;
    });
    if (lines.length === 0) throw errors.badRequest('CART_EMPTY', 'The cart is empty: add items before checking out');
    const productIds = lines.map((line) => line.product_id);

    await clock.run('2_validate_items', async () => {
      // A plain read, no lock yet: it turns away hopeless checkouts early, but only step 3's locked read decides.
      const stock = await readStock(runner, productIds, false);
      for (const line of lines) {
        if (line.quantity <= 0) throw errors.validation([{ field: 'quantity', message: 'must be positive' }]);
        const available = stock.get(line.product_id) ?? 0;
        if (available < line.quantity) throw outOfStock(line, available);
      }
    });

    await clock.run('3_reserve_inventory', async () => {
      // LESSON: Atomic stock reservation (LESSONS.md#atomic-stock-reservation)
      // LESSON: Watch the lock (LESSONS.md#watch-the-lock). Rows are locked in product id order, so two carts with the same products queue
      // instead of deadlocking. The locks last until COMMIT or ROLLBACK.
      const stock = await readStock(runner, productIds, true);
      for (const line of lines) {
        const available = stock.get(line.product_id) ?? 0;
        if (available < line.quantity) throw outOfStock(line, available);
      }
    });

    const totalCents = lines.reduce((sum, line) => sum + toCents(line.price) * line.quantity, 0);
    const total = fromCents(totalCents);

    orderId = await clock.run('4_create_order', async () => {
      try {
        const rows = await runner.query(
          `INSERT INTO orders (user_id, status, total, idempotency_key) VALUES ($1, 'pending', $2, $3) RETURNING id`,
          [user.id, total, request.idempotencyKey ?? null],
        );
        return rows[0].id as number;
      } catch (error) {
        if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') {
          throw new DuplicateKey();
        }
        throw error;
      }
    });
    clock.orderId = orderId;

    await clock.run('5_create_order_items', async () => {
      for (const line of lines) {
        await runner.query(
          'INSERT INTO order_items (order_id, product_id, quantity, unit_price) VALUES ($1, $2, $3, $4)',
          [orderId, line.product_id, line.quantity, line.price],
        );
      }
    });

    // LESSON: Feel the wait (LESSONS.md#feel-the-wait). A slow outside call, made while this transaction holds its row locks and its connection.
    const payment = await clock.run('6_process_payment', () =>
      chargeCard({
        amount: total,
        delayMs: knobs.payment_delay_ms,
        failureRate: knobs.payment_failure_rate,
        random: deps.random,
      }),
    );
    if (!payment.approved) {
      throw new AppError({
        status: 402,
        code: 'PAYMENT_DECLINED',
        message: 'The payment was declined: nothing was charged and no order was kept',
      });
    }

    await clock.run('7_record_payment', () =>
      paymentRepository(runner.manager).record({
        order_id: orderId,
        amount: total,
        status: 'succeeded',
        provider_ref: payment.provider_ref,
      }),
    );

    await clock.run('8_update_inventory', async () => {
      for (const line of lines) {
        await runner.query('UPDATE inventory SET quantity = quantity - $2, updated_at = now() WHERE product_id = $1', [
          line.product_id,
          line.quantity,
        ]);
      }
    });

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
      await runner.query('UPDATE orders SET email_sent_at = $2 WHERE id = $1', [orderId, acceptedAt]);
    });

    await clock.run('10_create_notification', async () => {
      await runner.query(
        `INSERT INTO notifications (user_id, order_id, type, message) VALUES ($1, $2, 'order_confirmed', $3)`,
        [user.id, orderId, `Your order #${orderId} is confirmed (total ${total}).`],
      );
    });

    await clock.run('11_clear_cart', async () => {
      await runner.query('DELETE FROM cart_items ci USING carts c WHERE ci.cart_id = c.id AND c.user_id = $1', [
        user.id,
      ]);
    });

    // The buyer's wait, measured up to here; only this bookkeeping UPDATE and the COMMIT come after it.
    const processingMs = clock.elapsedMs;
    await runner.query(
      `UPDATE orders SET status = 'confirmed', processing_duration_ms = $2, completion_duration_ms = $2, steps = $3
       WHERE id = $1`,
      [orderId, processingMs, JSON.stringify(clock.steps)],
    );
    // The answer is read inside the transaction, on the connection this checkout already holds: after COMMIT, asking
    // the pool for another connection would queue this buyer behind every checkout still waiting for one.
    const saved = await orderRepository(runner.manager).findById(orderId);
    if (!saved) throw new Error(`order ${orderId} vanished before commit`);
    const { user_id: _owner, ...order } = saved;
    await runner.commitTransaction();
    log.info({ order_id: orderId, user_id: user.id, processing_duration_ms: processingMs }, 'checkout committed');
    return { order, replayed: false };
  } catch (error) {
    // LESSON: The saga and its compensation (LESSONS.md#the-saga-and-its-compensation). One ROLLBACK undoes it all.
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => {});
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

/** The Idempotency-Key is already on an order of this user (a concurrent checkout committed it first). */
class DuplicateKey extends AppError {
  constructor() {
    super({
      status: 409,
      code: 'IDEMPOTENCY_CONFLICT',
      message: 'A checkout with this Idempotency-Key already exists',
    });
  }
}

async function readStock(runner: QueryRunner, productIds: number[], lock: boolean): Promise<Map<number, number>> {
  const rows: { product_id: number; quantity: number }[] = await runner.query(
    `SELECT product_id, quantity FROM inventory WHERE product_id = ANY($1::int[]) ORDER BY product_id${
      lock ? ' FOR UPDATE' : ''
    }`,
    [productIds],
  );
  return new Map(rows.map((row) => [row.product_id, row.quantity]));
}
