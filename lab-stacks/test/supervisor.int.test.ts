import os from 'node:os';
import path from 'node:path';
import { freePort, type ManagedProcess, processStartTime, spawnTypeScript, waitForHealthy } from '@checkout-lab/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { RESTART_POLICY, restartDelay, Supervisor } from '../src/supervisor';

// The launcher's restart policy on real processes: a small HTTP server stands in for a process of the lab, and a
// switch makes each new run of it crash at start, as a process with a broken dependency would.

const FAST = { firstDelayMs: 50, maxDelayMs: 200, healthyResetMs: 1000 };
const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'health-server.ts');

describe('restartDelay', () => {
  it('when a process keeps crashing, then each wait doubles up to the cap, and a long healthy run starts again from the first', () => {
    const waits: number[] = [];
    let previous: number | null = null;
    for (let restart = 0; restart < 7; restart++) {
      previous = restartDelay(previous, 0, RESTART_POLICY);
      waits.push(previous);
    }
    expect(waits).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(restartDelay(10_000, RESTART_POLICY.healthyResetMs - 1, RESTART_POLICY)).toBe(10_000);
    expect(restartDelay(10_000, RESTART_POLICY.healthyResetMs, RESTART_POLICY)).toBe(500);
  });
});

const supervisors: Supervisor[] = [];
afterEach(async () => {
  for (const supervisor of supervisors.splice(0)) {
    supervisor.endSupervision();
    await supervisor.stop('stand-in', 'SIGKILL');
  }
});

async function standIn() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const lines: string[] = [];
  const runs: ManagedProcess[] = [];
  const state = { crash: false };
  const supervisor = new Supervisor({ restart: true, policy: FAST, say: (line) => lines.push(line) });
  supervisors.push(supervisor);
  await supervisor.start({
    name: 'stand-in',
    stack: 'lab',
    url,
    spawn: () => {
      const run = spawnTypeScript({
        name: 'stand-in',
        entry: FIXTURE,
        env: { ...process.env, PORT: String(port), CRASH: state.crash ? '1' : '0' },
        logFile: path.join(os.tmpdir(), `supervisor-test-${port}.log`),
      });
      runs.push(run);
      return run;
    },
    healthy: (run, signal) => waitForHealthy(run, `${url}/health`, 30_000, signal),
  });
  const entry = () => supervisor.table()[0];
  const until = async (what: string, check: () => boolean) => {
    const deadline = Date.now() + 30_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what}: not within 30 s; lines:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { supervisor, lines, runs, state, entry, until, url };
}

describe('the supervisor', () => {
  it('when a process is killed and then crashes at every start, then it is restarted with a growing wait, one line each, until it starts again', async () => {
    const lab = await standIn();
    expect(lab.entry()).toMatchObject({ name: 'stand-in', status: 'running', restarts: 0, pid: lab.runs[0].child.pid });

    lab.state.crash = true;
    lab.runs[0].child.kill('SIGKILL');
    await lab.until('four restarts', () => lab.lines.length >= 4);
    expect(lab.entry().status).toBe('restarting');
    lab.state.crash = false;
    await lab.until('running again', () => lab.entry().status === 'running');

    expect(lab.lines.slice(0, 4)).toEqual([
      'stand-in exited (SIGKILL): restarting in 0.05 s (restart 1)',
      'stand-in exited (code 1): restarting in 0.1 s (restart 2)',
      'stand-in exited (code 1): restarting in 0.2 s (restart 3)',
      'stand-in exited (code 1): restarting in 0.2 s (restart 4)',
    ]);
    // One run per restart, each exited before the next began: the waits are what kept it from spinning.
    const restarts = lab.entry().restarts;
    expect(lab.lines).toHaveLength(restarts);
    expect(lab.runs).toHaveLength(restarts + 1);
    const current = lab.runs.at(-1) as ManagedProcess;
    expect(lab.entry().pid).toBe(current.child.pid);
    expect(lab.runs.slice(0, -1).every((run) => run.child.exitCode !== null || run.child.signalCode !== null)).toBe(
      true,
    );
    expect((await fetch(`${lab.url}/health`)).status).toBe(200);

    // A run that stayed healthy past healthyResetMs was no crash loop: the next wait is the first one again.
    await new Promise((r) => setTimeout(r, FAST.healthyResetMs + 200));
    current.child.kill('SIGKILL');
    await lab.until('one more restart', () => lab.lines.length === restarts + 1);
    expect(lab.lines.at(-1)).toBe(`stand-in exited (SIGKILL): restarting in 0.05 s (restart ${restarts + 1})`);
  });

  it('when supervision ends while a restart waits, then nothing is started again and the process stays stopped', async () => {
    const lab = await standIn();
    const recorded = lab.entry().start;
    expect(recorded).not.toBeNull();
    lab.runs[0].child.kill('SIGKILL');
    await lab.until('the restart is pending', () => lab.entry().status === 'restarting');
    // The table keeps the start time read at the spawn: the pid, read again now, may belong to a stranger.
    expect(lab.entry()).toMatchObject({ pid: lab.runs[0].child.pid, start: recorded });
    lab.supervisor.endSupervision();
    await lab.supervisor.stop('stand-in');
    await new Promise((r) => setTimeout(r, FAST.maxDelayMs * 3));
    expect(lab.runs).toHaveLength(1);
    expect(lab.entry().status).toBe('stopped');
    expect(processStartTime(lab.runs[0].child.pid as number)).toBeNull();
  });

  it('when it is killed by name, then it dies by SIGKILL and is restarted; a name it does not run, or a stopped one, is not killed', async () => {
    const lab = await standIn();
    expect(lab.supervisor.kill('someone-else')).toBe(false);
    expect(lab.supervisor.kill('stand-in')).toBe(true);
    await lab.until('running again', () => lab.entry().restarts === 1 && lab.entry().status === 'running');
    expect(lab.runs[0].child.signalCode).toBe('SIGKILL');
    expect(lab.lines).toEqual(['stand-in exited (SIGKILL): restarting in 0.05 s (restart 1)']);
    expect(lab.entry().pid).toBe(lab.runs[1].child.pid);
    await lab.supervisor.stop('stand-in');
    expect(lab.supervisor.kill('stand-in')).toBe(false);
  });

  it('when it is stopped, then it exits and is not restarted', async () => {
    const lab = await standIn();
    await lab.supervisor.stop('stand-in');
    await new Promise((r) => setTimeout(r, FAST.maxDelayMs * 3));
    expect(lab.runs).toHaveLength(1);
    expect(lab.lines).toEqual([]);
    expect(lab.entry().status).toBe('stopped');
  });
});
