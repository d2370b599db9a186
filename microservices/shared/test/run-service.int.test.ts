import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The process entry of every service, as a real process: a stop that hangs must not keep it alive.

describe('runService', () => {
  it('when stop() never finishes, then SIGTERM still ends the process after the grace period, with a failing code', async () => {
    const fixture = path.join(import.meta.dirname, 'fixtures', 'hanging-service.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!output.includes('ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(output).toContain('ready');
      child.kill('SIGTERM');
      // Generous: the grace period is a second or two; without it the process never exits.
      const code = await Promise.race([
        exited,
        new Promise<'still running'>((r) => setTimeout(r, 20_000, 'still running')),
      ]);
      expect(code).toBe(1);
      expect(output).toMatch(/hanging-service did not stop within [\d.]+ s/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
