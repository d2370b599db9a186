import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { DEV_JWT_SECRET, freePort } from '@checkout-lab/kit';
import { createTestDatabase, testPaymentProvider } from '@checkout-lab/kit/testing';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { startMonolith } from '../src/server';

const root = path.resolve(import.meta.dirname, '../..');

function runEntry(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'monolith/src/index.ts'], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('starting the monolith', () => {
  it('when it starts twice on one database, then migrations and seed are idempotent and the admin password follows the setting', async () => {
    const database = await createTestDatabase('mono_start');
    try {
      const common = {
        databaseUrl: database.url,
        paymentProvider: testPaymentProvider(database.name),
        smtpPort: await freePort(),
        logLevel: 'silent',
      };
      const first = await startMonolith({
        ...common,
        admin: { email: 'boss@example.test', password: 'first-password' },
      });
      await first.stop();
      const second = await startMonolith({
        ...common,
        admin: { email: 'boss@example.test', password: 'second-password' },
      });
      try {
        const login = (password: string) =>
          fetch(`${second.url}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: 'boss@example.test', password }),
          });
        expect((await login('first-password')).status).toBe(401);
        expect((await login('second-password')).status).toBe(200);
        const products = (await (await fetch(`${second.url}/api/products?limit=100`)).json()) as {
          total: number;
          items: { id: number; stock: number }[];
        };
        expect(products.total).toBe(16);
        expect(products.items[0]).toMatchObject({ id: 1, stock: 10 });
      } finally {
        await second.stop();
      }
    } finally {
      await database.drop();
    }
  });

  it('when NODE_ENV=production keeps the development JWT secret, then the config is refused', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET })).toThrow(/JWT_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-real-secret' }).JWT_SECRET).toBe('a-real-secret');
    expect(loadConfig({}).DB_POOL_SIZE).toBe(10);
    expect(() => loadConfig({ PAYMENT_FAILURE_RATE: '2' })).toThrow(/PAYMENT_FAILURE_RATE/);
  });

  it('when the port is taken, then the process says so in one line and exits non-zero', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await runEntry({ MONOLITH_PORT: String(port) });
      expect(code).not.toBe(0);
      const lines = stderr.split('\n').filter((line) => line.trim() && !line.startsWith('npm warn'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`Port ${port} .*MONOLITH_PORT`));
    } finally {
      blocker.close();
    }
  });
});
