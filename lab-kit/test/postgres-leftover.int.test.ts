import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canConnect, freePort, startEmbeddedPostgres, stopLeftoverPostgres } from '../src';

// Embedded PostgreSQL is a binary of its own: a launcher that died (and its guard with it) leaves it running on the
// data folder. The next start finds it by the folder's postmaster.pid.

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('stopLeftoverPostgres', () => {
  it('when a server still runs on the data folder, then it is shut down and its pid returned', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-pg-leftover-'));
    dirs.push(dir);
    const port = await freePort();
    const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port });
    expect(await canConnect('127.0.0.1', port)).toBe(true);
    // As the next start sees it: only the folder is known.
    expect(await stopLeftoverPostgres(path.join(dir, 'data'))).toBe(server.pid);
    expect(await canConnect('127.0.0.1', port)).toBe(false);
    expect(await stopLeftoverPostgres(path.join(dir, 'data'))).toBeNull();
  });

  it('when postmaster.pid names a process that is not PostgreSQL (a pid given again), then it is left alone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-pg-reused-'));
    dirs.push(dir);
    const stranger = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => stranger.once('spawn', resolve));
      fs.writeFileSync(path.join(dir, 'postmaster.pid'), `${stranger.pid}\n${dir}\n`);
      expect(await stopLeftoverPostgres(dir)).toBeNull();
      expect(stranger.exitCode).toBeNull();
      expect(stranger.signalCode).toBeNull();
    } finally {
      stranger.kill('SIGKILL');
    }
  });
});
