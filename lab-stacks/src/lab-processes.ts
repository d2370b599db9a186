import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  LabSetupError,
  type ProcessTable,
  type ProcessTableEntry,
  processStartTime,
  type RecordedProcess,
  STOP_GRACE_MS,
  stillRunning,
  stopLeftoverPostgres,
} from '@checkout-lab/kit';

/**
 * What a lab keeps in its data folder (LAB_DATA_DIR) about itself, so that the next start can clean up after a
 * launcher that died without stopping its processes (kill -9, the out-of-memory killer), and tokens survive restarts.
 */

/** The file in LAB_DATA_DIR that names the processes of the lab running from that folder. */
export const LAB_PROCESSES_FILE = 'lab.pids.json';

export type { RecordedProcess };

/**
 * What a start reads of a previous lab's record: only who ran (the launcher writes lab-kit's ProcessTable, whose
 * entries say more; an older record or a hand-written one may carry just this).
 */
export interface LabProcesses {
  launcher: RecordedProcess;
  processes: RecordedProcess[];
}

function recorded(name: string, pid: number): RecordedProcess {
  return { name, pid, start: processStartTime(pid) };
}

/** A signal to a process that may have ended (or never been ours to signal) a moment ago. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone already, or not ours: either way nothing more to do here
  }
}

function read(file: string): LabProcesses | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LabProcesses;
  } catch {
    return null;
  }
}

/**
 * The record of the running lab's processes (lab-kit's ProcessTable: the dashboard serves it as GET
 * /api/lab/processes), rewritten whole at every change (a process started, exited, restarted) and removed when the
 * lab stops cleanly.
 */
export class ProcessRecord {
  readonly file: string;
  private readonly state: ProcessTable;
  private cleared = false;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, LAB_PROCESSES_FILE);
    this.state = { launcher: recorded('launcher', process.pid), processes: [] };
    this.write();
  }

  /** The processes as they are now (the supervisor's table), each with its start time. */
  update(processes: ProcessTableEntry[]): void {
    this.state.processes = processes;
    this.write();
  }

  clear(): void {
    this.cleared = true;
    fs.rmSync(this.file, { force: true });
  }

  private write(): void {
    if (this.cleared) return;
    // Written whole to a temporary file, then renamed: a launcher killed mid-write never leaves half a record.
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(this.state));
    fs.renameSync(temporary, this.file);
  }
}

/**
 * Before a lab starts from dataDir: when the lab recorded there still runs (its launcher is alive), refuses with how to
 * stop it; when a previous launcher died and left processes behind, stops them (SIGTERM, SIGKILL after the grace
 * period), and embedded PostgreSQL still running on dataDir/postgres (its postmaster.pid). Resolves with one line
 * saying what it stopped, or null when nothing was left.
 */
export async function stopLeftovers(dataDir: string): Promise<string | null> {
  const file = path.join(dataDir, LAB_PROCESSES_FILE);
  const previous = read(file);
  const stopped: string[] = [];
  const unsure: RecordedProcess[] = [];
  if (previous) {
    if (stillRunning(previous.launcher)) {
      throw new LabSetupError(
        `A lab is already running from ${dataDir} (launcher pid ${previous.launcher.pid}): stop it with Ctrl-C in its terminal or \`kill ${previous.launcher.pid}\`, or set LAB_DATA_DIR to another folder.`,
      );
    }
    const left = previous.processes.filter(stillRunning);
    // Without a start time (no /proc here) a pid may be another process by now: name it, never kill it.
    unsure.push(...previous.processes.filter((entry) => entry.start === null));
    for (const entry of left) signal(entry.pid, 'SIGTERM');
    for (let waited = 0; left.some(stillRunning) && waited < STOP_GRACE_MS * 2; waited += 100) await sleep(100);
    for (const entry of left.filter(stillRunning)) signal(entry.pid, 'SIGKILL');
    stopped.push(...left.map((entry) => `${entry.name} pid ${entry.pid}`));
    fs.rmSync(file, { force: true });
  }
  const postgres = await stopLeftoverPostgres(path.join(dataDir, 'postgres'));
  if (postgres !== null) stopped.push(`PostgreSQL pid ${postgres}`);
  const lines: string[] = [];
  if (stopped.length > 0)
    lines.push(`A previous lab in ${dataDir} was still running (${stopped.join(', ')}): stopped it.`);
  if (unsure.length > 0) {
    const pids = unsure.map((entry) => entry.pid).join(' ');
    lines.push(
      `A previous lab in ${dataDir} may have left ${unsure.map((entry) => `${entry.name} pid ${entry.pid}`).join(', ')}: check with \`ps -p ${pids}\` and stop them with \`kill ${pids}\`.`,
    );
  }
  return lines.length > 0 ? lines.join('\n') : null;
}

/** The file in LAB_DATA_DIR with the lab's own JWT secret. */
export const JWT_SECRET_FILE = 'jwt-secret';

/**
 * The secret both stacks sign their tokens with when JWT_SECRET is unset: made at random for this lab on its first
 * start and kept in its data folder (readable by its owner only), so tokens survive a restart and no lab signs with
 * the development secret that every copy of this repository publishes.
 */
export function labJwtSecret(dataDir: string): { secret: string; created: boolean; file: string } {
  const file = path.join(dataDir, JWT_SECRET_FILE);
  try {
    const secret = fs.readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return { secret, created: false, file };
  } catch {
    // none yet
  }
  const secret = crypto.randomBytes(32).toString('hex');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { secret, created: true, file };
}
