import { ensureDatabase } from '@checkout-lab/kit';
import pg from 'pg';
import type { LabCost, RunRecord, RunSettings, RunStatus, TargetResult } from '../../shared/types';

/**
 * Run history in the lab's own database (DB_NAME, default checkout_lab), so a class can compare today's runs with
 * last week's. One row per run; the per-stack results, orders included, are kept as JSON.
 */
export class RunsRepository {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(serverUrl: string, dbName: string): Promise<RunsRepository> {
    const url = await ensureDatabase(serverUrl, dbName);
    const pool = new pg.Pool({ connectionString: url, max: 3, application_name: 'checkout-lab-dashboard' });
    pool.on('error', () => {});
    await pool.query(`CREATE TABLE IF NOT EXISTS lab_runs (
      id serial PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now(),
      settings jsonb NOT NULL,
      status text NOT NULL,
      error text,
      results jsonb NOT NULL DEFAULT '[]',
      cost jsonb
    )`);
    // A run that was going when the lab API stopped will never finish.
    await pool.query(
      `UPDATE lab_runs SET status = 'failed', error = 'the lab API stopped during the run' WHERE status = 'running'`,
    );
    return new RunsRepository(pool);
  }

  async create(settings: RunSettings): Promise<RunRecord> {
    const { rows } = await this.pool.query(
      `INSERT INTO lab_runs (settings, status) VALUES ($1, 'running') RETURNING *`,
      [JSON.stringify(settings)],
    );
    return toRecord(rows[0]);
  }

  async finish(
    id: number,
    outcome: { status: RunStatus; error: string | null; results: TargetResult[]; cost: LabCost | null },
  ): Promise<void> {
    await this.pool.query(`UPDATE lab_runs SET status = $2, error = $3, results = $4, cost = $5 WHERE id = $1`, [
      id,
      outcome.status,
      outcome.error,
      JSON.stringify(outcome.results),
      outcome.cost ? JSON.stringify(outcome.cost) : null,
    ]);
  }

  async get(id: number): Promise<RunRecord | null> {
    const { rows } = await this.pool.query('SELECT * FROM lab_runs WHERE id = $1', [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** The latest runs without their orders (the list stays small); get() returns one run whole. */
  async list(limit = 50): Promise<RunRecord[]> {
    const { rows } = await this.pool.query(
      `SELECT id, created_at, settings, status, error, cost,
              COALESCE((SELECT jsonb_agg(r - 'orders' - 'throughput') FROM jsonb_array_elements(results) r), '[]') AS results
         FROM lab_runs ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toRecord);
  }

  async remove(id: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(`DELETE FROM lab_runs WHERE id = $1 AND status <> 'running'`, [id]);
    return (rowCount ?? 0) > 0;
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

function toRecord(row: Record<string, unknown>): RunRecord {
  return {
    id: row.id as number,
    created_at: (row.created_at as Date).toISOString(),
    settings: row.settings as RunSettings,
    status: row.status as RunStatus,
    error: (row.error as string | null) ?? null,
    results: ((row.results as TargetResult[]) ?? []).map((r) => ({
      ...r,
      orders: r.orders ?? [],
      throughput: r.throughput ?? [],
    })),
    cost: (row.cost as LabCost | null) ?? null,
  };
}
