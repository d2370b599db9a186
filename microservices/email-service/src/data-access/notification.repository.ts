import { type Migration, messagingMigrations } from '@checkout-lab/shared';
import type pg from 'pg';

export const migrations: Migration[] = [
  ...messagingMigrations,
  {
    id: '001_notifications',
    sql: `CREATE TABLE notifications (
            id serial PRIMARY KEY,
            order_id integer NOT NULL UNIQUE,
            user_id integer NOT NULL,
            type text NOT NULL,
            message text NOT NULL,
            read boolean NOT NULL DEFAULT false,
            sent_at timestamptz NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
          );
          CREATE INDEX notifications_user ON notifications (user_id, id);
          -- One row per mail the SMTP server accepted, written right after the send, outside any transaction:
          -- the audit's count of confirmation emails really sent (a duplicate send would show as 2).
          CREATE TABLE email_sends (
            id serial PRIMARY KEY,
            order_id integer NOT NULL,
            recipient text NOT NULL,
            smtp_message_id text,
            sent_at timestamptz NOT NULL DEFAULT now()
          );
          CREATE INDEX email_sends_order ON email_sends (order_id);`,
  },
  {
    id: '002_email_attempts',
    // Written (its own commit) just before the SMTP send: after a crash, it says "a send may have gone out".
    sql: `CREATE TABLE email_attempts (
            order_id integer PRIMARY KEY,
            message_id text NOT NULL,
            started_at timestamptz NOT NULL DEFAULT now()
          );`,
  },
];

type Queryable = pg.Pool | pg.PoolClient;

export const notificationRepository = {
  /** When a previous delivery already sent this order's mail: the recorded send time, else null. */
  async previousSend(db: Queryable, orderId: number): Promise<Date | null> {
    const { rows } = await db.query<{ sent_at: Date }>(
      `SELECT sent_at FROM notifications WHERE order_id = $1
       UNION ALL SELECT sent_at FROM email_sends WHERE order_id = $1 LIMIT 1`,
      [orderId],
    );
    return rows[0]?.sent_at ?? null;
  },

  async recordSend(
    db: Queryable,
    send: { orderId: number; recipient: string; messageId: string | null; sentAt: Date },
  ) {
    await db.query('INSERT INTO email_sends (order_id, recipient, smtp_message_id, sent_at) VALUES ($1, $2, $3, $4)', [
      send.orderId,
      send.recipient,
      send.messageId,
      send.sentAt,
    ]);
  },

  /** The Message-ID of a send that started but whose outcome was never recorded (a crash in between), or null. */
  async startAttempt(db: Queryable, orderId: number, messageId: string): Promise<string | null> {
    const { rows } = await db.query<{ message_id: string }>(
      `WITH inserted AS (
         INSERT INTO email_attempts (order_id, message_id) VALUES ($1, $2) ON CONFLICT (order_id) DO NOTHING RETURNING 1)
       SELECT message_id FROM email_attempts WHERE order_id = $1 AND NOT EXISTS (SELECT 1 FROM inserted)`,
      [orderId, messageId],
    );
    return rows[0]?.message_id ?? null;
  },

  /** Null when the order already has its notification. */
  async insertOnce(
    client: pg.PoolClient,
    notification: { orderId: number; userId: number; message: string; sentAt: Date },
  ): Promise<number | null> {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO notifications (order_id, user_id, type, message, sent_at) VALUES ($1, $2, 'order_confirmed', $3, $4)
       ON CONFLICT (order_id) DO NOTHING RETURNING id`,
      [notification.orderId, notification.userId, notification.message, notification.sentAt],
    );
    return rows[0]?.id ?? null;
  },

  async listByUser(db: Queryable, userId: number) {
    const { rows } = await db.query<{ id: number; type: string; message: string; created_at: Date; read: boolean }>(
      'SELECT id, type, message, created_at, read FROM notifications WHERE user_id = $1 ORDER BY id DESC',
      [userId],
    );
    return rows.map((row) => ({ ...row, created_at: row.created_at.toISOString() }));
  },

  async audit(db: Queryable, since: Date | null) {
    const { rows } = await db.query<{ order_id: number; count: number }>(
      `SELECT order_id, count(*)::int AS count FROM email_sends
       WHERE ($1::timestamptz IS NULL OR sent_at >= $1) GROUP BY order_id ORDER BY order_id`,
      [since],
    );
    return rows;
  },

  async reset(db: Queryable): Promise<void> {
    await db.query('TRUNCATE notifications, email_sends, email_attempts, outbox, processed_events');
  },
};
