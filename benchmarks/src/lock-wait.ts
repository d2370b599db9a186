import fs from 'node:fs';
import pg from 'pg';
import { stackProcesses, tcpSockets } from './memory';
import type { StackName } from './options';
import type { LockWaitResult } from './report';

/** How often the probe reads pg_stat_activity during a rush: a wait shorter than this may go unseen. */
export const LOCK_WAIT_INTERVAL_MS = 20;

/**
 * The statements that wait on a stock row: both stacks keep the stock in a table named inventory (the monolith's
 * SELECT ... FOR UPDATE or its short_lock UPDATE, product-service's reservation UPDATE). The rush buys nothing but the
 * hot product, so a wait there is a wait on its row; other waits of the database (the job queue's own tables, with
 * the fixes async_email and accept_then_process) are left out.
 */
const STOCK_STATEMENT = '\\minventory\\M';

/** The process of each stack that takes the hot product's stock: the monolith, and product-service's reservation. */
const STOCK_PROCESS: Record<StackName, string> = { monolith: 'monolith', micro: 'product-service' };

/** The local ports of a process's established TCP connections (its sockets in /proc/<pid>/fd, in /proc/net/tcp). */
export function connectionPorts(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return [];
  }
  // state 01 is ESTABLISHED.
  return tcpSockets()
    .filter((socket) => socket.state === '01' && inodes.has(socket.inode))
    .map((socket) => socket.localPort);
}

export interface LockWaitProbe {
  /** Samples every LOCK_WAIT_INTERVAL_MS from now until stop(). */
  start(): void;
  stop(): Promise<LockWaitResult>;
}

function unknown(detail: string): LockWaitProbe {
  const result: LockWaitResult = {
    source: 'unknown',
    detail,
    databases: [],
    interval_ms: LOCK_WAIT_INTERVAL_MS,
    samples: 0,
    samples_with_waits: 0,
    most_waiting: 0,
    longest_ms: null,
  };
  return { start: () => {}, stop: async () => result };
}

/**
 * The longest lock wait on the stock during a window (a rush on the hot product, the only row it touches): every
 * LOCK_WAIT_INTERVAL_MS, the sessions of the stack's stock database waiting on a lock (wait_event_type = 'Lock') in a
 * statement on the inventory table (a row's FOR UPDATE or UPDATE behind another transaction), and how long it has waited,
 * clock_timestamp() - query_start. The database is the one the stack's process is connected to, found from its
 * sockets (pg_stat_activity.client_port), on the PostgreSQL server at serverUrl (the one the report's version comes
 * from). Unknown, never a guess, when the server or the process is not found.
 */
export async function lockWaitProbe(
  stack: StackName,
  url: string,
  serverUrl: string | undefined,
): Promise<LockWaitProbe> {
  if (!serverUrl) return unknown('no PostgreSQL server URL (DATABASE_URL) to read pg_stat_activity from');
  const processName = STOCK_PROCESS[stack];
  const pid = (await stackProcesses(stack, url)).pids[processName];
  if (pid === undefined) return unknown(`the ${processName} process was not found on this machine`);
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  let databases: string[];
  try {
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(
      'SELECT DISTINCT datname FROM pg_stat_activity WHERE client_port = ANY($1::int[]) AND datname IS NOT NULL',
      [connectionPorts(pid)],
    );
    databases = rows.map((r) => r.datname).sort();
  } catch (error) {
    await client.end().catch(() => {});
    return unknown(`pg_stat_activity not read (${(error as Error).message})`);
  }
  if (databases.length === 0) {
    await client.end().catch(() => {});
    return unknown(`no session of ${processName} (pid ${pid}) found in pg_stat_activity`);
  }
  const result: LockWaitResult = {
    source: 'pg_stat_activity',
    detail: `sessions of ${databases.join(', ')} (the databases ${processName}, pid ${pid}, is connected to) with wait_event_type = 'Lock' in a statement on the inventory table, clock_timestamp() - query_start, every ${LOCK_WAIT_INTERVAL_MS} ms`,
    databases,
    interval_ms: LOCK_WAIT_INTERVAL_MS,
    samples: 0,
    samples_with_waits: 0,
    most_waiting: 0,
    longest_ms: 0,
  };
  let running = false;
  let loop: Promise<void> = Promise.resolve();
  const sample = async () => {
    const { rows } = await client.query<{ waiting: number; longest_ms: number | null }>(
      `SELECT count(*)::int AS waiting,
              max(extract(epoch FROM clock_timestamp() - query_start) * 1000)::float8 AS longest_ms
         FROM pg_stat_activity
        WHERE wait_event_type = 'Lock' AND datname = ANY($1::text[]) AND pid <> pg_backend_pid()
          AND query ~* $2`,
      [databases, STOCK_STATEMENT],
    );
    const { waiting, longest_ms } = rows[0];
    result.samples += 1;
    if (waiting > 0) result.samples_with_waits += 1;
    result.most_waiting = Math.max(result.most_waiting, waiting);
    if (longest_ms !== null) result.longest_ms = Math.max(result.longest_ms ?? 0, Math.round(longest_ms * 10) / 10);
  };
  return {
    start() {
      running = true;
      loop = (async () => {
        while (running) {
          try {
            await sample();
          } catch (error) {
            result.detail += `; a sample failed (${(error as Error).message})`;
            running = false;
          }
          await new Promise((resolve) => setTimeout(resolve, LOCK_WAIT_INTERVAL_MS));
        }
      })();
    },
    async stop() {
      running = false;
      await loop;
      await client.end().catch(() => {});
      return result;
    },
  };
}
