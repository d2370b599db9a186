import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { freePort } from '@checkout-lab/kit';

/**
 * The dashboard's budgets, measured: the gzip size of the built page (lab-dashboard/dist), and the time from starting
 * the lab API process (`tsx lab-dashboard/server/index.ts`) to the page answering 200, in both page modes.
 * Run: `npx tsx lab-dashboard/bench/startup.ts` (after `npm run build -w @checkout-lab/dashboard` for the dist figure).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

function buildSize(): void {
  if (!fs.existsSync(dist)) {
    console.log('dist/ is missing: run `npm run build -w @checkout-lab/dashboard` first');
    return;
  }
  let raw = 0;
  let gzip = 0;
  for (const file of fs.readdirSync(dist, { recursive: true }) as string[]) {
    const full = path.join(dist, file);
    if (!fs.statSync(full).isFile()) continue;
    const bytes = fs.readFileSync(full);
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  console.log(`page build: ${(raw / 1024).toFixed(1)} KiB raw, ${(gzip / 1024).toFixed(1)} KiB gzip`);
}

async function timeToPage(mode: 'production' | 'development'): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/index.ts')], {
    env: { ...process.env, DASHBOARD_PORT: String(port), NODE_ENV: mode, LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the lab API exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

buildSize();
const distExists = fs.existsSync(path.join(dist, 'index.html'));
if (distExists) console.log(`start to page (built dist/): ${Math.round(await timeToPage('production'))} ms`);
else console.log('start to page (Vite middleware, dist/ absent):', Math.round(await timeToPage('development')), 'ms');
