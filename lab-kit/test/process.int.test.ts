import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStartTime } from '../src';

// A launcher can die without cleaning up (kill -9, the out-of-memory killer): what it started must not outlive it.

/** Running, not merely waiting to be reaped (a zombie has ended). */
function alive(pid: number): boolean {
  return processStartTime(pid) !== null;
}

describe('spawnTypeScript', () => {
  it('when the process that started a child is killed with SIGKILL, then the child exits within seconds', async () => {
    const fixture = path.join(import.meta.dirname, 'fixtures', 'spawning-parent.ts');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-parent-watch-'));
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture, path.join(dir, 'child.log')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    parent.stdout.on('data', (chunk) => {
      output += chunk;
    });
    let childPid = 0;
    try {
      const deadline = Date.now() + 30_000;
      while (!/child (\d+)/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      childPid = Number(/child (\d+)/.exec(output)?.[1]);
      expect(childPid).toBeGreaterThan(0);
      // Give the child the time to load (its watch starts with it).
      await new Promise((r) => setTimeout(r, 1500));
      expect(alive(childPid)).toBe(true);
      parent.kill('SIGKILL');
      const gone = Date.now() + 15_000;
      while (alive(childPid) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
      expect(alive(childPid), `child ${childPid} outlived its parent`).toBe(false);
    } finally {
      parent.kill('SIGKILL');
      if (childPid && alive(childPid)) process.kill(childPid, 'SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
