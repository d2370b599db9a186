import crypto from 'node:crypto';
import type { Charge } from '@checkout-lab/contract';
import type pg from 'pg';

/**
 * The provider's ledger: one row per charge, in the provider's own database. It is the outside world of both shops:
 * a shop's ROLLBACK cannot reach it, so a charge taken for an order the shop then rolled back stays here.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS charges (
    id text PRIMARY KEY,
    merchant text NOT NULL,
    idempotency_key text NOT NULL,
    order_ref text NOT NULL,
    amount numeric(12, 2) NOT NULL,
    status text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    decided_at timestamptz,
    -- The idempotency key: one charge per key and merchant, whatever the shop retries.
    UNIQUE (merchant, idempotency_key)
  );
  CREATE INDEX IF NOT EXISTS charges_merchant_created ON charges (merchant, created_at);
  ALTER TABLE charges DROP CONSTRAINT IF EXISTS charges_status;
  ALTER TABLE charges ADD CONSTRAINT charges_status
    CHECK (status IN ('processing', 'succeeded', 'declined', 'refunded'));`;

interface ChargeRow {
  id: string;
  merchant: string;
  order_ref: string;
  amount: string;
  status: Charge['status'];
  created_at: Date;
}

const COLUMNS = 'id, merchant, order_ref, amount::text AS amount, status, created_at';

function toCharge(row: ChargeRow): Charge {
  return { ...row, created_at: row.created_at.toISOString() };
}

export const ledger = {
  /**
   * Creates the table, and settles what a provider that died mid-charge left undecided: declined, since it never
   * answered and never took the money. A retry with the same key then reads that.
   */
  async open(pool: pg.Pool): Promise<void> {
    await pool.query(SCHEMA);
    await pool.query(`UPDATE charges SET status = 'declined', decided_at = now() WHERE status = 'processing'`);
  },

  /** Claims the key: the new charge, "processing"; or null when the key already names a charge. */
  async claim(
    pool: pg.Pool,
    charge: { merchant: string; key: string; orderRef: string; amount: string },
  ): Promise<Charge | null> {
    const { rows } = await pool.query<ChargeRow>(
      `INSERT INTO charges (id, merchant, idempotency_key, order_ref, amount, status)
       VALUES ($1, $2, $3, $4, $5, 'processing')
       ON CONFLICT (merchant, idempotency_key) DO NOTHING
       RETURNING ${COLUMNS}`,
      [`ch_${crypto.randomBytes(8).toString('hex')}`, charge.merchant, charge.key, charge.orderRef, charge.amount],
    );
    return rows[0] ? toCharge(rows[0]) : null;
  },

  async byKey(pool: pg.Pool, merchant: string, key: string): Promise<Charge | null> {
    const { rows } = await pool.query<ChargeRow>(
      `SELECT ${COLUMNS} FROM charges WHERE merchant = $1 AND idempotency_key = $2`,
      [merchant, key],
    );
    return rows[0] ? toCharge(rows[0]) : null;
  },

  async decide(pool: pg.Pool, id: string, status: 'succeeded' | 'declined'): Promise<Charge> {
    const { rows } = await pool.query<ChargeRow>(
      `UPDATE charges SET status = $2, decided_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, status],
    );
    return toCharge(rows[0]);
  },

  /** A succeeded charge becomes refunded: the money goes back. Null when there is no such charge of the merchant. */
  async refund(pool: pg.Pool, merchant: string, id: string): Promise<Charge | null> {
    const { rows } = await pool.query<ChargeRow>(
      `UPDATE charges SET status = 'refunded' WHERE merchant = $1 AND id = $2 AND status = 'succeeded'
       RETURNING ${COLUMNS}`,
      [merchant, id],
    );
    if (rows[0]) return toCharge(rows[0]);
    const { rows: existing } = await pool.query<ChargeRow>(
      `SELECT ${COLUMNS} FROM charges WHERE merchant = $1 AND id = $2`,
      [merchant, id],
    );
    return existing[0] ? toCharge(existing[0]) : null;
  },

  async list(pool: pg.Pool, query: { merchant: string; status?: Charge['status']; since?: string }): Promise<Charge[]> {
    const { rows } = await pool.query<ChargeRow>(
      `SELECT ${COLUMNS} FROM charges
       WHERE merchant = $1 AND ($2::text IS NULL OR status = $2) AND ($3::timestamptz IS NULL OR created_at >= $3)
       ORDER BY created_at, id`,
      [query.merchant, query.status ?? null, query.since ?? null],
    );
    return rows.map(toCharge);
  },

  async resetMerchant(pool: pg.Pool, merchant: string): Promise<number> {
    const { rowCount } = await pool.query('DELETE FROM charges WHERE merchant = $1', [merchant]);
    return rowCount ?? 0;
  },
};
