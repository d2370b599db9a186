import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_AMQP_URL } from '@checkout-lab/kit';
import pg from 'pg';
import type { Environment } from './report';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The machine and the software a report was measured on. PostgreSQL's version is read from DATABASE_URL when one is
 * given (the stacks do not expose it), RabbitMQ's from the AMQP connection's server properties; else "unknown".
 */
export async function collectEnvironment(sources: { databaseUrl?: string; amqpUrl?: string }): Promise<Environment> {
  const cpus = os.cpus();
  const [postgres, rabbitmq] = await Promise.all([
    postgresVersion(sources.databaseUrl),
    rabbitVersion(sources.amqpUrl),
  ]);
  return {
    cpu_model: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    total_memory_mb: Math.round(os.totalmem() / 1024 / 1024),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres,
    rabbitmq,
    git_commit: gitCommit(),
    hostname: os.hostname(),
  };
}

async function postgresVersion(url: string | undefined): Promise<string> {
  if (!url) return 'unknown';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>('SELECT version() AS version');
    return rows[0]?.version ?? 'unknown';
  } catch {
    return 'unknown';
  } finally {
    await client.end().catch(() => {});
  }
}

async function rabbitVersion(url: string | undefined): Promise<string> {
  if (!url) return 'unknown';
  try {
    const amqp = await import('amqplib');
    const connection = await amqp.connect(url, { timeout: 3000 });
    try {
      const props = connection.connection.serverProperties as Record<string, unknown>;
      return `${props.product ?? 'RabbitMQ'} ${props.version ?? 'unknown'}`;
    } finally {
      await connection.close().catch(() => {});
    }
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: 'pipe',
    }).trim();
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return process.env.GITHUB_SHA ?? 'unknown';
  }
}

/** Where the broker is, for the environment: AMQP_URL, else the lab's default. */
export function defaultAmqpUrl(): string {
  return process.env.AMQP_URL || DEFAULT_AMQP_URL;
}
