import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The browser test needs Debian's chromium (playwright cannot download its own here). As root with apt-get, install
 * it; otherwise fail with the one command that fixes it.
 */
export function ensureChromium(): string {
  if (fs.existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const fix = 'apt-get update && apt-get install -y chromium';
  const canInstall = process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get');
  if (!canInstall)
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: run \`sudo ${fix}\` (or set CHROMIUM_PATH).`);
  console.log(`Chromium is missing at ${CHROMIUM_PATH}: installing it with \`${fix}\` (a minute or two)…`);
  execFileSync('sh', ['-c', `${fix} >/dev/null`], { stdio: 'inherit', timeout: 600_000 });
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is still missing after \`${fix}\`.`);
  return CHROMIUM_PATH;
}
