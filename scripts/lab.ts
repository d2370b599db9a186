import { LabSetupError } from '@checkout-lab/kit';
import { type Lab, startLab } from '@checkout-lab/stacks';

/**
 * `npm start`: the whole lab in one terminal. Ctrl-C (SIGINT) or SIGTERM stops every process it started.
 */

// When the terminal or npm that read our output is gone, writing to it fails with EPIPE: ignore that, so the
// shutdown below still stops every process.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

const started = Date.now();
const say = (line: string) => console.log(`[lab] ${line}`);
let lab: Lab | undefined;
let stopping = false;
// A signal while the lab is still starting aborts the start: startLab stops what it had started, then rejects.
const starting = new AbortController();

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping the lab...`);
  if (!lab) {
    starting.abort(new Error(`${signal} while starting`));
    return;
  }
  await lab.stop();
  say('stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));
// `npm start` runs this under a shell; a SIGTERM sent to npm ends that shell but does not reach this process. When
// the parent goes away, stop the lab as if the signal had come here, so no process is left behind.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown('parent process exited');
}, 1000).unref();

try {
  lab = await startLab({ onProgress: say, signal: starting.signal });
} catch (error) {
  if (starting.signal.aborted) {
    say('stopped.');
    process.exit(0);
  }
  if (error instanceof LabSetupError) {
    console.error(`[lab] ${error.message}`);
  } else {
    console.error(`[lab] The lab could not start: ${(error as Error).message}`);
  }
  process.exit(1);
}
// The signal came after the start's last step: the lab is up, and stops at once.
if (starting.signal.aborted) {
  await lab.stop();
  say('stopped.');
  process.exit(0);
}

const { urls } = lab;
const rows: [string, string | null][] = [
  ['Dashboard (start here)', urls.dashboard],
  ['Monolith API', urls.monolith && `${urls.monolith}/api   (Swagger UI: ${urls.monolith}/docs)`],
  [
    'Microservices API gateway',
    urls.gateway && `${urls.gateway}/api   (Swagger UI: ${urls.gateway}/docs, health: ${urls.gateway}/health)`,
  ],
  ['Mail catcher (read the emails)', urls.mailUi],
  ['Payment provider (the card ledger)', `${urls.paymentProvider}/v1/charges?merchant=monolith`],
  ['SMTP', urls.smtp],
  ['PostgreSQL', urls.database],
  ['RabbitMQ', urls.amqp],
];
console.log('');
say(`Checkout Lab is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s):`);
const width = Math.max(...rows.map(([name]) => name.length)) + 1;
for (const [name, url] of rows) console.log(`  ${name.padEnd(width)} ${url ?? '(not started)'}`);
for (const warning of lab.warnings) console.log(`\n[lab] warning: ${warning}`);
console.log(`\n  Logs: ${lab.logDir}/<process>.log   Stop: Ctrl-C\n`);
