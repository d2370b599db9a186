import fs from 'node:fs';
import { z } from 'zod';
import { processStartTime } from './process';

/**
 * The lab's process table: what the launcher (`npm start`) writes about every process it started and supervises
 * (LAB_DATA_DIR/lab.pids.json), and what the dashboard reads to serve GET /api/lab/processes. The launcher owns the
 * file; the dashboard only reads it, and signals only a process named in it that is still the one recorded.
 */

/** Which side of the lab a process belongs to; `lab` serves both stacks (the dashboard). */
export const LAB_PROCESS_STACKS = ['monolith', 'microservices', 'lab'] as const;
export type LabProcessStack = (typeof LAB_PROCESS_STACKS)[number];

/** `restarting`: it exited without the launcher stopping it and waits for its restart or its first /health. */
export const LAB_PROCESS_STATUSES = ['running', 'stopped', 'restarting'] as const;
export type LabProcessStatus = (typeof LAB_PROCESS_STATUSES)[number];

/** One process of the table, as GET /api/lab/processes shows it. */
export interface LabProcess {
  name: string;
  stack: LabProcessStack;
  /** Its current run's pid; while it waits to restart, the pid of the run that exited. */
  pid: number;
  status: LabProcessStatus;
  /** How often the launcher restarted it since the lab started. */
  restarts: number;
  url: string;
}

const recordedSchema = z.object({
  name: z.string().min(1),
  pid: z.number().int().positive(),
  /** lab-kit's processStartTime at the time it was recorded: with the pid, it names one process, never a later one. */
  start: z.string().nullable(),
});

const entrySchema = recordedSchema.extend({
  stack: z.enum(LAB_PROCESS_STACKS),
  status: z.enum(LAB_PROCESS_STATUSES),
  restarts: z.number().int().min(0),
  url: z.string(),
});

export const processTableSchema = z.object({ launcher: recordedSchema, processes: z.array(entrySchema) });

/** A pid with its start time: the two together name one process. */
export type RecordedProcess = z.infer<typeof recordedSchema>;
export type ProcessTableEntry = z.infer<typeof entrySchema>;
export type ProcessTable = z.infer<typeof processTableSchema>;

/** True when the recorded process still runs: same pid, same start time. */
export function stillRunning(entry: RecordedProcess): boolean {
  return entry.start !== null && processStartTime(entry.pid) === entry.start;
}

/** The table in file, or null when there is none (no lab runs from that folder) or it is not a table. */
export function readProcessTable(file: string): ProcessTable | null {
  try {
    const parsed = processTableSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
