import { ensureDatabase, databaseUrl } from '@checkout-lab/kit';
import pg from 'pg';

// BIGINT and NUMERIC come back as strings by default; ids fit in a JS number here, so read int8 as a number.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** Creates the service's own database on the server when missing, then returns a pool on it. */
export async function connectDatabase(options: {
  serverUrl: string;
  dbName: string;
  poolSize?: number;
}): Promise<{ pool: pg.Pool; url: string }> {
  await ensureDatabase(options.serverUrl, options.dbName);
  const url = databaseUrl(options.serverUrl, options.dbName);
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // An idle client that loses its connection (server restart) emits here; without a listener the process would die.
  pool.on('error', () => {});
  return { pool, url };
}

export interface Migration {
  /** Unique and ordered: "001_orders", "002_outbox" ... */
  id: string;
  sql: string;
}

/**
 * Applies each migration once, in id order, recorded in schema_migrations. An advisory lock serialises two
 * processes migrating the same database at the same time (a restart racing the old process).
 */
export async function migrate(pool: pg.Pool, migrations: Migration[]): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(7262001)');
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ id: string }>('SELECT id FROM schema_migrations');
    const done = new Set(rows.map((row) => row.id));
    for (const migration of [...migrations].sort((a, b) => a.id.localeCompare(b.id))) {
      if (done.has(migration.id)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
        await client.query('COMMIT');
        applied.push(migration.id);
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.id} failed: ${(error as Error).message}`);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(7262001)').catch(() => {});
    client.release();
  }
  return applied;
}

/** Runs fn in one transaction on its own client: commit on success, rollback on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export async function databaseIsUp(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
