import type { Logger } from './logger';

/**
 * The fault lab's crash (docs/api.md, "Faults"): when `armed` names this point, the process dies right here, by
 * SIGKILL on itself, as a pulled plug or the out-of-memory killer would end it: no catch, no finally, no ROLLBACK and
 * no shutdown hook runs. What the database had not committed goes with the connection; what the world outside had
 * already done (a card charge, a sent message) stays. Once: the fault is set back to "none" first (it lives in memory,
 * so the restarted process starts at "none" anyway), and whoever supervises the process starts it again.
 * `armed` is the value the caller read (the monolith reads its faults once per checkout); by default the value now.
 */
export function crashAt(point: string, faults: { crash: string }, log: Logger, armed = faults.crash): void {
  if (armed !== point) return;
  faults.crash = 'none';
  log.fatal({ crash: point, pid: process.pid }, `fault crash=${point}: this process kills itself (SIGKILL)`);
  process.kill(process.pid, 'SIGKILL');
}
