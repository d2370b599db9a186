import { type Migration, messagingMigrations } from '@checkout-lab/shared';
import type pg from 'pg';

export const migrations: Migration[] = [
  ...messagingMigrations,
  {
    id: '001_payments',
    // UNIQUE (order_id): exactly one payment per order, whatever the broker redelivers.
    sql: `CREATE TABLE payments (
            id serial PRIMARY KEY,
            order_id integer NOT NULL UNIQUE,
            user_id integer NOT NULL,
            amount numeric(12, 2) NOT NULL,
            status text NOT NULL CHECK (status IN ('succeeded', 'declined')),
            reason text,
            created_at timestamptz NOT NULL DEFAULT now()
          );`,
  },
  {
    id: '002_provider_ref',
    // The card provider's charge id, as the monolith's payments keep it.
    sql: 'ALTER TABLE payments ADD COLUMN provider_ref text;',
  },
];

type Queryable = pg.Pool | pg.PoolClient;

/** One payment as step 6 records it. */
export interface NewPayment {
  orderId: number;
  userId: number;
  amount: string;
  status: 'succeeded' | 'declined';
  reason: string | null;
  providerRef: string | null;
}

export const paymentRepository = {
  /** Inserts the order's payment; null when the order already has one (a redelivery or a replayed request). */
  async insertOnce(client: pg.PoolClient, payment: NewPayment): Promise<number | null> {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO payments (order_id, user_id, amount, status, reason, provider_ref) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (order_id) DO NOTHING RETURNING id`,
      [payment.orderId, payment.userId, payment.amount, payment.status, payment.reason, payment.providerRef],
    );
    return rows[0]?.id ?? null;
  },

  /**
   * The plain INSERT the naive consumer makes (idempotent consumers switched off): a second payment of the same order
   * fails on UNIQUE (order_id) instead of being skipped.
   */
  async insert(client: pg.PoolClient, payment: NewPayment): Promise<number> {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO payments (order_id, user_id, amount, status, reason, provider_ref) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING id`,
      [payment.orderId, payment.userId, payment.amount, payment.status, payment.reason, payment.providerRef],
    );
    return rows[0].id;
  },

  async exists(db: Queryable, orderId: number): Promise<boolean> {
    const { rowCount } = await db.query('SELECT 1 FROM payments WHERE order_id = $1', [orderId]);
    return Boolean(rowCount);
  },

  async audit(db: Queryable, since: Date | null) {
    const { rows } = await db.query<{ order_id: number; status: string; count: number }>(
      `SELECT order_id, status, count(*)::int AS count FROM payments
       WHERE ($1::timestamptz IS NULL OR created_at >= $1) GROUP BY order_id, status ORDER BY order_id`,
      [since],
    );
    return rows;
  },

  async reset(db: Queryable): Promise<void> {
    await db.query('TRUNCATE payments, outbox, processed_events');
  },
};
