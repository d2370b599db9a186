import type { DataSource, EntityManager } from 'typeorm';
import type { CheckoutStep } from './order.entity';

export interface Order {
  id: number;
  status: string;
  total: string;
  failure_reason: string | null;
  items: { product_id: number; quantity: number; unit_price: string }[];
  created_at: string;
  processing_duration_ms: number | null;
  completion_duration_ms: number | null;
  email_sent_at: string | null;
  steps: CheckoutStep[];
}

interface OrderQueryRow extends Omit<Order, 'created_at' | 'email_sent_at'> {
  created_at: Date;
  email_sent_at: Date | null;
}

const ORDER_SELECT = `
  SELECT o.id, o.status, o.total, o.failure_reason, o.created_at, o.processing_duration_ms,
         o.completion_duration_ms, o.email_sent_at, o.steps,
         COALESCE(json_agg(json_build_object('product_id', oi.product_id, 'quantity', oi.quantity,
                                             'unit_price', oi.unit_price::text) ORDER BY oi.id)
                  FILTER (WHERE oi.id IS NOT NULL), '[]') AS items
  FROM orders o LEFT JOIN order_items oi ON oi.order_id = o.id`;

function toOrder(row: OrderQueryRow): Order {
  return {
    id: row.id,
    status: row.status,
    total: row.total,
    failure_reason: row.failure_reason,
    items: row.items,
    created_at: row.created_at.toISOString(),
    processing_duration_ms: row.processing_duration_ms,
    completion_duration_ms: row.completion_duration_ms,
    email_sent_at: row.email_sent_at ? row.email_sent_at.toISOString() : null,
    steps: row.steps,
  };
}

export function orderRepository(db: DataSource | EntityManager) {
  return {
    async findById(id: number): Promise<(Order & { user_id: number }) | null> {
      const rows = await db.query(`${ORDER_SELECT} WHERE o.id = $1 GROUP BY o.id`, [id]);
      if (!rows[0]) return null;
      const [{ user_id }] = await db.query('SELECT user_id FROM orders WHERE id = $1', [id]);
      return { ...toOrder(rows[0]), user_id };
    },
    async findByIdempotencyKey(userId: number, key: string): Promise<Order | null> {
      const rows = await db.query(`${ORDER_SELECT} WHERE o.user_id = $1 AND o.idempotency_key = $2 GROUP BY o.id`, [
        userId,
        key,
      ]);
      return rows[0] ? toOrder(rows[0]) : null;
    },
    async listForUser(userId: number): Promise<Order[]> {
      const rows = await db.query(`${ORDER_SELECT} WHERE o.user_id = $1 GROUP BY o.id ORDER BY o.id DESC`, [userId]);
      return rows.map(toOrder);
    },
    async listSince(since: Date | null) {
      const rows: {
        id: number;
        status: string;
        created_at: Date;
        processing_duration_ms: number | null;
        completion_duration_ms: number | null;
        failure_reason: string | null;
      }[] = await db.query(
        `SELECT id, status, created_at, processing_duration_ms, completion_duration_ms, failure_reason
         FROM orders WHERE $1::timestamptz IS NULL OR created_at >= $1 ORDER BY id`,
        [since],
      );
      return rows.map((row) => ({ ...row, created_at: row.created_at.toISOString() }));
    },
    /** The server-side truth the benchmarks' invariant checker reads (GET /api/lab/audit). */
    async audit(since: Date | null) {
      const orders: { id: number; status: string; failure_reason: string | null; payments: number; emails: number }[] =
        await db.query(
          `SELECT o.id, o.status, o.failure_reason,
                  (SELECT COUNT(*)::int FROM payments p WHERE p.order_id = o.id AND p.status = 'succeeded') AS payments,
                  (CASE WHEN o.email_sent_at IS NULL THEN 0 ELSE 1 END) AS emails
           FROM orders o WHERE $1::timestamptz IS NULL OR o.created_at >= $1 ORDER BY o.id`,
          [since],
        );
      const products: { id: number; name: string; stock: number }[] = await db.query(
        `SELECT p.id, p.name, COALESCE(i.quantity, 0) AS stock
         FROM products p LEFT JOIN inventory i ON i.product_id = p.id ORDER BY p.id`,
      );
      return { orders, products };
    },
  };
}
