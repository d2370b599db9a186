import { AppError, type LabProcess, type ProcessTableEntry, readProcessTable, stillRunning } from '@checkout-lab/kit';

/**
 * The lab's processes, from the table the launcher keeps (LAB_PROCESS_TABLE, lab-kit's ProcessTable): the launcher
 * supervises them, so a process killed here is started again by it, as an orchestrator's restart policy would. The
 * dashboard signals only a process named in that table and still the one recorded there (pid and start time), never
 * a pid it is given.
 */
export class LabProcesses {
  /** file: the launcher's table; null when the dashboard runs without the launcher (then there is nothing to list). */
  constructor(private readonly file: string | null) {}

  list(): LabProcess[] {
    return this.entries().map(shown);
  }

  /**
   * The process named name, and the SIGKILL to send it (the route sends it after its 202 when the process is the
   * dashboard itself). 404 NOT_FOUND for a name not in the table, 409 PROCESS_NOT_RUNNING while it waits to restart.
   */
  target(name: string): { process: LabProcess; kill: () => void } {
    const entry = this.entries().find((candidate) => candidate.name === name);
    if (!entry)
      throw new AppError({
        status: 404,
        code: 'NOT_FOUND',
        message: 'The lab runs no process of that name (see GET /api/lab/processes)',
      });
    if (!stillRunning(entry)) {
      throw new AppError({
        status: 409,
        code: 'PROCESS_NOT_RUNNING',
        message: `${name} is not running now (${entry.status}): nothing to kill`,
      });
    }
    return { process: shown(entry), kill: () => process.kill(entry.pid, 'SIGKILL') };
  }

  private entries(): ProcessTableEntry[] {
    return (this.file ? readProcessTable(this.file) : null)?.processes ?? [];
  }
}

/** What the API shows of an entry: its start time only tells the pid apart from a later process's. */
function shown({ name, stack, pid, status, restarts, url }: ProcessTableEntry): LabProcess {
  return { name, stack, pid, status, restarts, url };
}
