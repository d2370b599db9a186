import { spawn } from 'node:child_process';
import path from 'node:path';
import { canConnect, DEFAULT_AMQP_URL, dropDatabase, processStartTime } from '@checkout-lab/kit';
import { testServerUrl, uniqueName } from '@checkout-lab/kit/testing';
import { describe, expect, it } from 'vitest';
import { deleteBrokerObjects } from '../src/index';

// The microservices' starter spawns its own children: a process that called it and died without cleaning up
// (SIGKILL) must not leave them running.

describe('startMicroservices', () => {
  it('when the process that started the services is killed with SIGKILL, then the services exit within seconds', async () => {
    const prefix = uniqueName('stack_orphans');
    const fixture = path.join(import.meta.dirname, 'fixtures', 'stack-parent.ts');
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    parent.stdout.on('data', (chunk) => {
      output += chunk;
    });
    parent.stderr.on('data', (chunk) => {
      output += chunk;
    });
    let pid = 0;
    try {
      const deadline = Date.now() + 90_000;
      while (!/ready (\d+)/.test(output) && parent.exitCode === null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      const port = Number(/ready (\d+)/.exec(output)?.[1]);
      pid = Number(/spawned product-service (\d+)/.exec(output)?.[1]);
      expect(port, output).toBeGreaterThan(0);
      const start = processStartTime(pid);
      expect(start).not.toBeNull();
      parent.kill('SIGKILL');
      const gone = Date.now() + 20_000;
      while (processStartTime(pid) === start && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
      expect(processStartTime(pid), `product-service ${pid} outlived the process that started it`).not.toBe(start);
      expect(await canConnect('127.0.0.1', port, 500)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
      if (pid && processStartTime(pid) !== null) process.kill(pid, 'SIGKILL');
      await dropDatabase(testServerUrl(), `${prefix}_products`).catch(() => {});
      await deleteBrokerObjects(process.env.AMQP_URL ?? DEFAULT_AMQP_URL, prefix).catch(() => {});
    }
  });
});
