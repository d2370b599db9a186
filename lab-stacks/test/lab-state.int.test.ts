import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEV_JWT_SECRET, LabSetupError, processStartTime } from '@checkout-lab/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { LAB_PROCESSES_FILE, type LabProcesses, labJwtSecret, stopLeftovers } from '../src/index';

// What a lab keeps in its data folder: its JWT secret, and the record of its processes that lets the next start clean
// up after a launcher that died (real processes stand in for the ones it left).

const folders: string[] = [];
const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-state-'));
  folders.push(dir);
  return dir;
}

async function standIn() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  const pid = child.pid as number;
  return { child, pid, start: processStartTime(pid), running: () => child.exitCode === null && !child.signalCode };
}

function record(dir: string, processes: LabProcesses) {
  fs.writeFileSync(path.join(dir, LAB_PROCESSES_FILE), JSON.stringify(processes));
}

describe("the lab's JWT secret", () => {
  it('when none is kept yet, then one is made, kept for its owner only, reused at the next start, and never the development one', () => {
    const dir = folder();
    const first = labJwtSecret(dir);
    expect(first.created).toBe(true);
    expect(first.secret).not.toBe(DEV_JWT_SECRET);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(first.file).mode & 0o077).toBe(0);
    const second = labJwtSecret(dir);
    expect(second).toEqual({ ...first, created: false });
    expect(labJwtSecret(folder()).secret).not.toBe(first.secret);
  });
});

describe("a previous lab's processes", () => {
  it('when its launcher is gone, then the ones still running are stopped and named in one line, and a reused pid is spared', async () => {
    const dir = folder();
    const left = await standIn();
    const reused = await standIn();
    record(dir, {
      launcher: { name: 'launcher', pid: 999_999, start: '1' },
      processes: [
        { name: 'monolith', pid: left.pid, start: left.start },
        // The pid of the previous lab's dashboard now belongs to a process that started later.
        { name: 'dashboard', pid: reused.pid, start: '1' },
      ],
    });
    const line = await stopLeftovers(dir);
    expect(line).toBe(`A previous lab in ${dir} was still running (monolith pid ${left.pid}): stopped it.`);
    await new Promise((r) => setTimeout(r, 200));
    expect(left.running()).toBe(false);
    expect(reused.running()).toBe(true);
    expect(fs.existsSync(path.join(dir, LAB_PROCESSES_FILE))).toBe(false);
    expect(await stopLeftovers(dir)).toBeNull();
  });

  it('when its launcher still runs, then the start is refused with the command that stops it, and nothing is killed', async () => {
    const dir = folder();
    const launcher = await standIn();
    const child = await standIn();
    record(dir, {
      launcher: { name: 'launcher', pid: launcher.pid, start: launcher.start },
      processes: [{ name: 'monolith', pid: child.pid, start: child.start }],
    });
    const refusal = stopLeftovers(dir);
    await expect(refusal).rejects.toBeInstanceOf(LabSetupError);
    await expect(refusal).rejects.toThrow(`kill ${launcher.pid}`);
    expect(launcher.running()).toBe(true);
    expect(child.running()).toBe(true);
  });
});
