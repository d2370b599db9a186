import pg from 'pg';
import type { Internals, LockWait } from '../../shared/types';

/**
 * Reads PostgreSQL's own view of who waits on whom: pg_stat_activity for the sessions, pg_blocking_pids() for the
 * session each waiter is queued behind. This is how the monolith's Black Friday lock queue becomes visible.
 */
export class PostgresActivity {
  private readonly pool: pg.Pool;

  constructor(serverUrl: string) {
    this.pool = new pg.Pool({ connectionString: serverUrl, max: 2, application_name: 'checkout-lab-dashboard' });
    this.pool.on('error', () => {});
  }

  async lockWaits(): Promise<LockWait[]> {
    const { rows } = await this.pool.query<{
      pid: number;
      datname: string;
      blocked_by: number[];
      wait_ms: string;
      query: string;
      application_name: string;
    }>(
      `SELECT pid, datname, pg_blocking_pids(pid) AS blocked_by,
              floor(extract(epoch FROM clock_timestamp() - state_change) * 1000) AS wait_ms,
              left(query, 200) AS query, application_name
         FROM pg_stat_activity
        WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()
        ORDER BY state_change`,
    );
    return rows.map((row) => ({
      pid: row.pid,
      database: row.datname,
      blocked_by: row.blocked_by,
      wait_ms: Number(row.wait_ms),
      query: row.query,
      application_name: row.application_name,
    }));
  }

  async connections(): Promise<Internals['connections']> {
    const { rows } = await this.pool.query<{
      datname: string;
      active: string;
      idle: string;
      idle_in_transaction: string;
      total: string;
    }>(
      `SELECT datname,
              count(*) FILTER (WHERE state = 'active') AS active,
              count(*) FILTER (WHERE state = 'idle') AS idle,
              count(*) FILTER (WHERE state LIKE 'idle in transaction%') AS idle_in_transaction,
              count(*) AS total
         FROM pg_stat_activity
        WHERE datname IS NOT NULL AND backend_type = 'client backend' AND pid <> pg_backend_pid()
        GROUP BY datname ORDER BY datname`,
    );
    return rows.map((row) => ({
      database: row.datname,
      active: Number(row.active),
      idle: Number(row.idle),
      idle_in_transaction: Number(row.idle_in_transaction),
      total: Number(row.total),
    }));
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
