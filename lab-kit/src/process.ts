import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/**
 * How long a process the lab started gets between SIGTERM and the end: its own stop forces an exit after this long
 * (stopOnSignals), and whoever started it sends SIGKILL after it. A stop waits for in-flight requests and sends, and
 * one of those can hang (a mail server that stopped answering); a lab that never stops is worse than a cut request.
 */
export const STOP_GRACE_MS = 1500;

/**
 * The command line and environment that run a TypeScript entry point in a Node process of its own, through tsx's
 * loader and with the parent watch (parent-watch.ts), so the process ends when the one that started it is gone.
 * Every process the lab spawns starts this way (spawnTypeScript, the microservices' starter).
 */
export function typeScriptCommand(entry: string, env: NodeJS.ProcessEnv): { args: string[]; env: NodeJS.ProcessEnv } {
  return {
    args: ['--import', require.resolve('tsx'), '--import', new URL('./parent-watch.ts', import.meta.url).href, entry],
    env: { ...env, LAB_PARENT_PID: String(process.pid) },
  };
}

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves once the process has exited. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after graceMs (default STOP_GRACE_MS); resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs a TypeScript entry point in its own Node process (through tsx's loader), its output appended to logFile.
 * The child gets its own process group so that a Ctrl-C in the terminal reaches only the launcher, which then stops
 * every child in order; and it watches its parent, so it ends on its own when this process dies without stopping it.
 */
export function spawnTypeScript(options: {
  name: string;
  entry: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  cwd?: string;
}): ManagedProcess {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = fs.openSync(options.logFile, 'a');
  const command = typeScriptCommand(options.entry, options.env);
  const child = spawn(process.execPath, command.args, {
    cwd: options.cwd,
    env: command.env,
    stdio: ['ignore', log, log],
    detached: true,
  });
  fs.closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name: options.name,
    child,
    logFile: options.logFile,
    exited,
    async stop(graceMs = STOP_GRACE_MS) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * When the process with this pid started, in clock ticks since boot (/proc/<pid>/stat), or null when it does not run
 * (or this is not Linux). A pid and its start time together name one process: a pid the system gave again to a
 * process started later has another start time, so a record of pids never leads to killing a stranger.
 */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count the fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie (Z) has ended and only waits for its parent to read its exit status: it runs no more.
    if (fields[0] === 'Z' || fields[0] === 'X') return null;
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** The last lines of a log file, for an error message that shows why a process died. */
export function tailFile(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * The process entry's half of a bounded stop: on the first SIGTERM or SIGINT, run stop() and exit 0 when it is done,
 * 1 when it fails; when it has not finished after graceMs, say so in one line and exit 1 anyway. A second signal
 * changes nothing. Used by every process of the lab (the monolith, each service through runService, the dashboard).
 */
export function stopOnSignals(
  stop: () => Promise<void>,
  options: { name: string; graceMs?: number; onSignal?: (signal: NodeJS.Signals) => void },
): void {
  const graceMs = options.graceMs ?? STOP_GRACE_MS;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    options.onSignal?.(signal);
    setTimeout(() => {
      console.error(`${options.name} did not stop within ${graceMs / 1000} s of ${signal}: exiting anyway.`);
      process.exit(1);
    }, graceMs).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`${options.name} did not stop cleanly: ${error instanceof Error ? error.message : error}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * Polls url until it answers 2xx, the process exits, or timeoutMs passes. Throws with the tail of the log when the
 * process died or never became healthy, and the signal's reason as soon as it is aborted.
 */
export async function waitForHealthy(
  proc: ManagedProcess,
  url: string,
  timeoutMs = 60_000,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  proc.exited.then((code) => {
    exitCode = code;
  });
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (exitCode !== undefined) {
      throw new Error(
        `${proc.name} exited (code ${exitCode}) before it was healthy. Its log:\n${tailFile(proc.logFile)}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `${proc.name} did not answer ${url} within ${timeoutMs / 1000} s. Its log:\n${tailFile(proc.logFile)}`,
  );
}
