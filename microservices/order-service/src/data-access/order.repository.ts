import type { LabEvent, OrderLine, StepTiming } from '@checkout-lab/shared';
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
  /**
   * Accepts an order in ONE statement, so ONE round trip and its own atomic transaction: the order, its items and
   * the order.order.created outbox row are written together or not at all (LESSONS.md#the-outbox). The event's
   * payload gets the new order's id here; processing_duration_ms is the time the service had spent before the
   * statement (`elapsedMs`) plus the statement's own time up to writing the row, so the stored figure, the step and
   * the 202's body are one number. A repeated Idempotency-Key fails the whole statement with 23505.
   */
  async accept(
    db: Queryable,
    order: {
      userId: number;
      userEmail: string;
      total: string;
      items: OrderLine[];
      idempotencyKey: string | null;
      correlationId: string;
      createdAt: Date;
      step: StepTiming;
      elapsedMs: number;
      event: LabEvent<'order.order.created'>;
    },
  ): Promise<{ id: number; processingMs: number }> {
    const { rows } = await db.query<{ id: number; processing_duration_ms: number }>({
      // Named: PostgreSQL parses and plans it once per connection, not at every checkout.
      name: 'accept-order',
      text: `WITH accept AS (
         SELECT round(($8::double precision
                       + EXTRACT(EPOCH FROM clock_timestamp() - statement_timestamp()) * 1000)::numeric, 2)::double precision
                AS ms),
       o AS (
         INSERT INTO orders (user_id, user_email, status, total, idempotency_key, correlation_id, created_at,
                             processing_duration_ms, steps, cart_hold_id)
         SELECT $1, $2, 'pending', $3, $4, $5, $6, accept.ms,
                jsonb_build_array(jsonb_set($7::jsonb, '{duration_ms}', to_jsonb(accept.ms))), $13
         FROM accept
         RETURNING id, processing_duration_ms),
       items AS (
         INSERT INTO order_items (order_id, product_id, quantity, unit_price)
         SELECT o.id, line.product_id, line.quantity, line.unit_price
         FROM o, json_to_recordset($9::json) AS line(product_id integer, quantity integer, unit_price numeric)),
       event AS (
         INSERT INTO outbox (id, type, payload)
         SELECT $10, $11, jsonb_set($12::jsonb, '{payload,order_id}', to_jsonb(o.id)) FROM o)
       SELECT id, processing_duration_ms FROM o`,
      values: [
        order.userId,
        order.userEmail,
        order.total,
        order.idempotencyKey,
        order.correlationId,
        order.createdAt,
        JSON.stringify(order.step),
        order.elapsedMs,
        JSON.stringify(order.items),
        order.event.id,
        order.event.type,
        JSON.stringify(order.event),
        order.event.payload.cart_hold_id,
      ],
    });
    return { id: rows[0].id, processingMs: rows[0].processing_duration_ms };
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
    // One statement: the change and the order as it now is (RETURNING), for the event that follows.
    const { rows } = await client.query<OrderRow>({
      name: 'order-transition',
      text: `UPDATE orders o SET status = $3,
              failure_reason = COALESCE($4, failure_reason),
              email_sent_at = COALESCE($5::timestamptz, email_sent_at),
              steps = steps || $6::jsonb,
              completion_duration_ms = CASE WHEN $7::boolean
                THEN EXTRACT(EPOCH FROM (clock_timestamp() - created_at)) * 1000 ELSE completion_duration_ms END,
              updated_at = now()
       WHERE o.id = $1 AND o.status = ANY($2::text[])
       RETURNING ${ORDER_COLUMNS}`,
      values: [
        change.id,
        change.from,
        change.to,
        change.failureReason ?? null,
        change.emailSentAt ?? null,
        JSON.stringify([change.step]),
        final,
      ],
    });
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
