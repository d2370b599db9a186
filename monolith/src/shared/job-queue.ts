import type { Logger } from '@checkout-lab/kit';
import { Logger as WorkerLogger, type Runner, run, type Task } from 'graphile-worker';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * The monolith's job queue, for the fixes async_email and accept_then_process (docs/api.md "Fixes"): graphile-worker,
 * a PostgreSQL job queue in the shop's own database (schema graphile_worker). A job is a row written by the order's
 * own transaction, so it exists exactly when the order does, and survives a crash; a worker in this process runs it
 * after the commit and retries it with backoff (graphile-worker's exponential delay) when it throws.
 *
 * The worker starts when a fix that needs it is switched on, or at start when the schema is there (jobs written before
 * a crash or a restart are still waiting): a shop that never uses a fix pays nothing for it.
 */
export interface JobQueue {
  /** Writes a job in the caller's transaction: it runs after COMMIT, and not at all after a ROLLBACK. */
  add(manager: EntityManager, task: JobName, payload: Record<string, unknown>): Promise<void>;
  /** Starts the worker (installing the schema the first time); resolves once it runs. Safe to call again. */
  start(): Promise<void>;
  /** Deletes every job still waiting (the lab's reset: the order ids start again). */
  clear(): Promise<void>;
  stop(): Promise<void>;
}

export type JobName = 'send_order_confirmation' | 'process_payment';

/** Each job gets this many tries, backing off exponentially between them (e^attempt seconds, graphile-worker's). */
const MAX_ATTEMPTS = 10;

export function jobQueue(options: {
  db: DataSource;
  connectionString: string;
  log: Logger;
  concurrency: number;
  tasks: Record<JobName, Task>;
}): JobQueue {
  let runner: Promise<{ runner: Runner; pool: pg.Pool }> | null = null;
  const { db, log } = options;
  const logger = new WorkerLogger(() => (level: string, message: string) => {
    if (level === 'error') log.error({ worker: 'graphile-worker' }, message);
    else if (level === 'warning') log.warn({ worker: 'graphile-worker' }, message);
  });

  return {
    async add(manager, task, payload) {
      await manager.query('SELECT graphile_worker.add_job($1, $2::json, max_attempts => $3)', [
        task,
        JSON.stringify(payload),
        MAX_ATTEMPTS,
      ]);
    },

    async start() {
      runner ??= (async () => {
        // A job a killed monolith had taken stays locked (for four hours, graphile-worker's timeout). One monolith
        // runs on this database and its worker is not started yet, so whatever is locked now belongs to a process
        // that is gone: unlocked, it runs again.
        if (await jobSchemaExists(db)) {
          const [, unlocked] = await db.query(
            'UPDATE graphile_worker._private_jobs SET locked_at = NULL, locked_by = NULL WHERE locked_at IS NOT NULL',
          );
          if (unlocked > 0) log.warn({ jobs: unlocked }, 'jobs left locked by a monolith that stopped: unlocked');
        }
        // The worker's own pool, with its error handler: a connection the server ends (a restart, a dropped database)
        // is logged, never an unhandled error that takes the process down.
        const pool = new pg.Pool({ connectionString: options.connectionString, max: options.concurrency + 2 });
        pool.on('error', (error) => log.warn({ err: error, worker: 'graphile-worker' }, 'job worker connection lost'));
        try {
          const started = await run({
            pgPool: pool,
            concurrency: options.concurrency,
            noHandleSignals: true,
            pollInterval: 500,
            logger,
            taskList: options.tasks,
          });
          log.info({ concurrency: options.concurrency }, 'job worker running');
          return { runner: started, pool };
        } catch (error) {
          await pool.end();
          throw error;
        }
      })();
      try {
        await runner;
      } catch (error) {
        runner = null;
        throw error;
      }
    },

    async clear() {
      if (await jobSchemaExists(db))
        await db.query('DELETE FROM graphile_worker._private_jobs WHERE locked_at IS NULL');
    },

    async stop() {
      if (!runner) return;
      const running = await runner.catch(() => null);
      runner = null;
      await running?.runner.stop();
      await running?.pool.end();
    },
  };
}

/** True when the job schema exists in this database: jobs may be waiting from before a restart. */
export async function jobSchemaExists(db: DataSource): Promise<boolean> {
  const [{ installed }] = await db.query(
    `SELECT to_regclass('graphile_worker._private_jobs') IS NOT NULL AS installed`,
  );
  return installed;
}
