import { In, MoreThanOrEqual } from 'typeorm';
import { type Db, managerOf } from '../../../shared/db';
import { type CheckoutStep, OrderEntity, OrderItemEntity, type OrderRow } from './order.entity';

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

function toOrder(row: OrderRow, items: Order['items']): Order {
  return {
    id: row.id,
    status: row.status,
    total: row.total,
    failure_reason: row.failure_reason,
    items,
    created_at: row.created_at.toISOString(),
    processing_duration_ms: row.processing_duration_ms,
    completion_duration_ms: row.completion_duration_ms,
    email_sent_at: row.email_sent_at ? row.email_sent_at.toISOString() : null,
    steps: row.steps,
  };
}

export function orderRepository(db: Db) {
  const manager = managerOf(db);
  const orders = manager.getRepository(OrderEntity);
  const orderItems = manager.getRepository(OrderItemEntity);

  /** The orders with their items: one query for the orders, one for all their items. */
  async function withItems(rows: OrderRow[]): Promise<(Order & { user_id: number })[]> {
    if (rows.length === 0) return [];
    const items = await orderItems.find({ where: { order_id: In(rows.map((row) => row.id)) }, order: { id: 'ASC' } });
    return rows.map((row) => ({
      ...toOrder(
        row,
        items
          .filter((item) => item.order_id === row.id)
          .map((item) => ({ product_id: item.product_id, quantity: item.quantity, unit_price: item.unit_price })),
      ),
      user_id: row.user_id,
    }));
  }
  const withoutOwner = ({ user_id: _owner, ...order }: Order & { user_id: number }): Order => order;

  return {
    async findById(id: number): Promise<(Order & { user_id: number }) | null> {
      const [order] = await withItems(await orders.findBy({ id }));
      return order ?? null;
    },
    async findByIdempotencyKey(userId: number, key: string): Promise<Order | null> {
      const [order] = await withItems(await orders.findBy({ user_id: userId, idempotency_key: key }));
      return order ? withoutOwner(order) : null;
    },
    async listForUser(userId: number): Promise<Order[]> {
      const rows = await orders.find({ where: { user_id: userId }, order: { id: 'DESC' } });
      return (await withItems(rows)).map(withoutOwner);
    },
    /** A pending order (checkout, step 4); a second order with the same Idempotency-Key hits the unique key (23505). */
    async create(order: { user_id: number; total: string; idempotency_key: string | null }): Promise<number> {
      const { identifiers } = await orders.insert({ ...order, status: 'pending' });
      return identifiers[0].id as number;
    },
    /** The order's lines at the prices of the moment (step 5), in one INSERT. */
    async addItems(orderId: number, items: { product_id: number; quantity: number; unit_price: string }[]) {
      await orderItems.insert(items.map((item) => ({ ...item, order_id: orderId })));
    },
    async markEmailSent(orderId: number, at: Date): Promise<void> {
      await orders.update({ id: orderId }, { email_sent_at: at });
    },
    async confirm(orderId: number, outcome: { processing_duration_ms: number; steps: CheckoutStep[] }) {
      await orders.update(
        { id: orderId },
        {
          status: 'confirmed',
          processing_duration_ms: outcome.processing_duration_ms,
          completion_duration_ms: outcome.processing_duration_ms,
          steps: outcome.steps,
        },
      );
    },
    /**
     * The fixed checkout's answer before the order is final (accept_then_process): what the buyer waited, and the
     * steps so far; completion_duration_ms stays null while it is pending.
     */
    async markAccepted(orderId: number, outcome: { processing_duration_ms: number; steps: CheckoutStep[] }) {
      await orders.update({ id: orderId }, outcome);
    },
    /** The fixed checkout's end: confirmed, or cancelled with its reason, and the steps until then. */
    async finish(
      orderId: number,
      outcome: {
        status: 'confirmed' | 'cancelled';
        failure_reason: string | null;
        processing_duration_ms?: number;
        completion_duration_ms: number;
        steps: CheckoutStep[];
      },
    ) {
      await orders.update({ id: orderId }, outcome);
    },
    async listSince(since: Date | null) {
      const rows = await orders.find({
        select: {
          id: true,
          status: true,
          created_at: true,
          processing_duration_ms: true,
          completion_duration_ms: true,
          failure_reason: true,
        },
        where: since ? { created_at: MoreThanOrEqual(since) } : {},
        order: { id: 'ASC' },
      });
      return rows.map((row) => ({
        id: row.id,
        status: row.status,
        created_at: row.created_at.toISOString(),
        processing_duration_ms: row.processing_duration_ms,
        completion_duration_ms: row.completion_duration_ms,
        failure_reason: row.failure_reason,
      }));
    },
    /** Which of these ids are orders the shop has. */
    async existingIds(ids: number[]): Promise<number[]> {
      const safe = ids.filter((id) => id > 0 && id <= 2147483647);
      if (safe.length === 0) return [];
      const rows = await manager.getRepository(OrderEntity).find({ select: { id: true }, where: { id: In(safe) } });
      return rows.map((row) => row.id);
    },

    /** The server-side truth the benchmarks' invariant checker reads (GET /api/lab/audit). */
    async audit(since: Date | null) {
      // Raw SQL on purpose: one statement counts each order's payments and emails across three tables, as a reader of
      // the audit would write it by hand; the query builder would only wrap the same SQL in method calls.
      const orders: { id: number; status: string; failure_reason: string | null; payments: number; emails: number }[] =
        await manager.query(
          `SELECT o.id, o.status, o.failure_reason,
                  (SELECT COUNT(*)::int FROM payments p WHERE p.order_id = o.id AND p.status = 'succeeded') AS payments,
                  (CASE WHEN o.email_sent_at IS NULL THEN 0 ELSE 1 END) AS emails
           FROM orders o WHERE $1::timestamptz IS NULL OR o.created_at >= $1 ORDER BY o.id`,
          [since],
        );
      const products: { id: number; name: string; stock: number }[] = await manager.query(
        `SELECT p.id, p.name, COALESCE(i.quantity, 0) AS stock
         FROM products p LEFT JOIN inventory i ON i.product_id = p.id ORDER BY p.id`,
      );
      return { orders, products };
    },
  };
}
