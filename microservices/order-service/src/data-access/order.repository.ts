import type { OrderLine, StepTiming } from '@checkout-lab/shared';
import type pg from 'pg';

export type OrderStatus = 'pending' | 'stock_reserved' | 'paid' | 'confirmed' | 'cancelled';

/** The contract's Order, plus who owns it (kept out of the JSON by the route). */
export interface Order {
  id: number;
  user_id: number;
  user_email: string;
  status: OrderStatus;
  total: string;
  failure_reason: string | null;
  items: OrderLine[];
  created_at: string;
  processing_duration_ms: number;
  completion_duration_ms: number | null;
  email_sent_at: string | null;
  steps: StepTiming[];
  correlation_id: string;
}

type Queryable = pg.Pool | pg.PoolClient;

/** The contract's Order out of a row `o` of orders (in a SELECT, or in the RETURNING of an UPDATE). */
const ORDER_COLUMNS = `
  o.id, o.user_id, o.user_email, o.status, o.total::text AS total, o.failure_reason, o.created_at,
  o.processing_duration_ms, o.completion_duration_ms, o.email_sent_at, o.steps, o.correlation_id,
  COALESCE((SELECT json_agg(json_build_object('product_id', i.product_id, 'quantity', i.quantity,
                                              'unit_price', i.unit_price::text) ORDER BY i.product_id)
            FROM order_items i WHERE i.order_id = o.id), '[]') AS items`;

const SELECT_ORDER = `SELECT ${ORDER_COLUMNS} FROM orders o`;

interface OrderRow extends Omit<Order, 'created_at' | 'email_sent_at'> {
  created_at: Date;
  email_sent_at: Date | null;
}

function toOrder(row: OrderRow): Order {
  return {
    ...row,
    created_at: row.created_at.toISOString(),
    email_sent_at: row.email_sent_at ? row.email_sent_at.toISOString() : null,
  };
}

export const orderRepository = {
  /** Writes a checkout's order, pending, with no accept time yet (recordAccept sets it last); returns its id. */
  async insert(
    client: pg.PoolClient,
    order: {
      userId: number;
      userEmail: string;
      total: string;
      idempotencyKey: string | null;
      correlationId: string;
      cartHoldId: string;
      createdAt: Date;
    },
  ): Promise<number> {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO orders (user_id, user_email, status, total, idempotency_key, correlation_id, cart_hold_id,
                           created_at, processing_duration_ms, steps)
       VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, 0, '[]') RETURNING id`,
      [
        order.userId,
        order.userEmail,
        order.total,
        order.idempotencyKey,
        order.correlationId,
        order.cartHoldId,
        order.createdAt,
      ],
    );
    return rows[0].id;
  },

  async insertItems(client: pg.PoolClient, orderId: number, items: OrderLine[]): Promise<void> {
    await client.query(
      `INSERT INTO order_items (order_id, product_id, quantity, unit_price)
       SELECT $1, line.product_id, line.quantity, line.unit_price
       FROM json_to_recordset($2::json) AS line(product_id integer, quantity integer, unit_price numeric)`,
      [orderId, JSON.stringify(items)],
    );
  },

  /**
   * The accept's duration is known only at the end of its transaction: set processing_duration_ms and the accept
   * step last, and return the order as it will commit.
   */
  async recordAccept(client: pg.PoolClient, id: number, step: StepTiming): Promise<Order> {
    const { rows } = await client.query<OrderRow>(
      `UPDATE orders o SET processing_duration_ms = $2, steps = $3::jsonb WHERE o.id = $1 RETURNING ${ORDER_COLUMNS}`,
      [id, step.duration_ms, JSON.stringify([step])],
    );
    return toOrder(rows[0]);
  },

  async findById(db: Queryable, id: number): Promise<Order | null> {
    const { rows } = await db.query<OrderRow>(`${SELECT_ORDER} WHERE o.id = $1`, [id]);
    return rows[0] ? toOrder(rows[0]) : null;
  },

  /** The order written from a cart hold, if any: how cart-service settles a hold nobody settled in time. */
  async idForCartHold(db: Queryable, holdId: string): Promise<number | null> {
    const { rows } = await db.query<{ id: number }>('SELECT id FROM orders WHERE cart_hold_id = $1', [holdId]);
    return rows[0]?.id ?? null;
  },

  async findByIdempotencyKey(db: Queryable, userId: number, key: string): Promise<Order | null> {
    const { rows } = await db.query<OrderRow>(`${SELECT_ORDER} WHERE o.user_id = $1 AND o.idempotency_key = $2`, [
      userId,
      key,
    ]);
    return rows[0] ? toOrder(rows[0]) : null;
  },

  async listByUser(db: Queryable, userId: number): Promise<Order[]> {
    const { rows } = await db.query<OrderRow>(`${SELECT_ORDER} WHERE o.user_id = $1 ORDER BY o.id DESC`, [userId]);
    return rows.map(toOrder);
  },

  /**
   * The guarded transition: the row changes only when it is still in one of the expected statuses, so a duplicate or
   * late event for an order that moved on (or is final) changes nothing. Returns the order after the change, or null.
   */
  async transition(
    client: pg.PoolClient,
    change: {
      id: number;
      from: OrderStatus[];
      to: OrderStatus;
      step: StepTiming;
      failureReason?: string;
      emailSentAt?: string;
    },
  ): Promise<Order | null> {
    const final = change.to === 'confirmed' || change.to === 'cancelled';
    // Whole milliseconds, rounded down, whatever the service that timed the step sent.
    const step = { ...change.step, duration_ms: Math.floor(change.step.duration_ms) };
    // The change and the order as it now is (RETURNING), for the event that follows.
    const { rows } = await client.query<OrderRow>(
      // completion_duration_ms in whole milliseconds, rounded down, as every duration of the contract.
      `UPDATE orders o SET status = $3,
              failure_reason = COALESCE($4, failure_reason),
              email_sent_at = COALESCE($5::timestamptz, email_sent_at),
              steps = steps || $6::jsonb,
              completion_duration_ms = CASE WHEN $7::boolean
                THEN floor(EXTRACT(EPOCH FROM (clock_timestamp() - created_at)) * 1000) ELSE completion_duration_ms END,
              updated_at = now()
       WHERE o.id = $1 AND o.status = ANY($2::text[])
       RETURNING ${ORDER_COLUMNS}`,
      [
        change.id,
        change.from,
        change.to,
        change.failureReason ?? null,
        change.emailSentAt ?? null,
        JSON.stringify([step]),
        final,
      ],
    );
    return rows[0] ? toOrder(rows[0]) : null;
  },

  async listSince(db: Queryable, since: Date | null) {
    const { rows } = await db.query(
      `SELECT id, status, created_at, processing_duration_ms, completion_duration_ms, failure_reason
       FROM orders WHERE ($1::timestamptz IS NULL OR created_at >= $1) ORDER BY id`,
      [since],
    );
    return rows.map((row) => ({ ...row, created_at: (row.created_at as Date).toISOString() }));
  },

  async audit(db: Queryable, since: Date | null) {
    const { rows } = await db.query<{ id: number; status: string; failure_reason: string | null }>(
      `SELECT id, status, failure_reason FROM orders
       WHERE ($1::timestamptz IS NULL OR created_at >= $1) ORDER BY id`,
      [since],
    );
    return rows;
  },

  async reset(db: Queryable): Promise<void> {
    await db.query('TRUNCATE order_items, orders, outbox, processed_events');
  },
};
