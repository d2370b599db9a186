import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { localPort, pidsListeningOn, stackProcesses } from './memory';
import type { StackName } from './options';
import type { CpuFigure, CpuResult, CpuRole, CpuWindow, ProcessCpu } from './report';
import { round } from './stats';

// LESSON: What the decomposition costs (LESSONS.md#what-the-decomposition-costs)
/**
 * CPU of a stack's processes during the measured window: utime + stime from /proc/<pid>/stat (clock ticks) read at
 * its start and its end. Beside the stack's own processes (found by their ports, as for memory): PostgreSQL (the
 * postmaster on the lab's port and its children), RabbitMQ (the process on the AMQP port and its children) and the
 * lab runner serving the mail catcher, as shared infrastructure; the benchmark itself (process.cpuUsage()) as the
 * load generator; and the whole machine from /proc/stat, which tells whether it was saturated. A figure that cannot
 * be read is null ("unknown"), never a guess.
 */

/** The fields of /proc/<pid>/stat read here; times in clock ticks. */
export interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  utime: number;
  stime: number;
  /** CPU of the children this process waited for: a PostgreSQL backend that ended during the window is counted here. */
  cutime: number;
  cstime: number;
  /** When the process started, in ticks after boot: another value under the same pid is another process. */
  starttime: number;
}

/** Parses one /proc/<pid>/stat line. The name (comm) is in parentheses and may hold spaces and parentheses itself. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state) of proc(5), so field n is rest[n - 3].
  const field = (n: number) => Number(rest[n - 3]);
  const stat: ProcStat = {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
    starttime: field(22),
  };
  const numbers = [stat.pid, stat.ppid, stat.utime, stat.stime, stat.cutime, stat.cstime, stat.starttime];
  return numbers.every((v) => Number.isInteger(v) && v >= 0) ? stat : null;
}

/** The machine's CPU time from /proc/stat, in clock ticks over every core. */
export interface MachineTicks {
  /** user + nice + system + irq + softirq + steal. */
  busy: number;
  /** busy + idle + iowait. */
  total: number;
  /** The cpuN lines: the cores the kernel counts. */
  cores: number;
}

/** Parses /proc/stat's first line ("cpu  user nice system idle iowait irq softirq steal guest guest_nice"). */
export function parseMachineTicks(text: string): MachineTicks | null {
  const lines = text.split('\n');
  const first = lines.find((l) => /^cpu\s/.test(l));
  if (!first) return null;
  const v = first.trim().split(/\s+/).slice(1).map(Number);
  if (v.length < 4 || v.some((x) => !Number.isInteger(x) || x < 0)) return null;
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  // guest and guest_nice are already inside user and nice: adding them would count that time twice.
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait, cores: lines.filter((l) => /^cpu\d+\s/.test(l)).length };
}

/** `getconf CLK_TCK`'s answer, or null when it is not a positive whole number. */
export function parseClockTicks(stdout: string): number | null {
  const value = Number(stdout.trim());
  return Number.isInteger(value) && value > 0 ? value : null;
}

/**
 * CPU ticks of a process and its descendants: utime + stime + cutime + cstime of each one alive now. A child that
 * ends is added to its parent's cutime/cstime when the parent waits for it, so the difference between two readings
 * counts the children that ended between them too (PostgreSQL's postmaster waits for every backend).
 */
export function treeTicks(
  stats: readonly ProcStat[],
  root: number,
): { ticks: number; starttime: number; members: number } | null {
  const byParent = new Map<number, ProcStat[]>();
  let top: ProcStat | undefined;
  for (const s of stats) {
    if (s.pid === root) top = s;
    const siblings = byParent.get(s.ppid);
    if (siblings) siblings.push(s);
    else byParent.set(s.ppid, [s]);
  }
  if (!top) return null;
  let ticks = 0;
  let members = 0;
  const seen = new Set<number>();
  const queue: ProcStat[] = [top];
  while (queue.length) {
    const s = queue.shift() as ProcStat;
    if (seen.has(s.pid)) continue;
    seen.add(s.pid);
    ticks += s.utime + s.stime + s.cutime + s.cstime;
    members += 1;
    queue.push(...(byParent.get(s.pid) ?? []));
  }
  return { ticks, starttime: top.starttime, members };
}

/** One process's CPU at one moment: seconds so far, and who it was (its start time), so a new pid is not mistaken. */
export interface CpuReading {
  cpuS: number | null;
  starttime: number | null;
  /** For a process read with its children: how many were alive. */
  members?: number;
}

/** CPU seconds between two readings of one process, or null when either is unknown or it is not the same process. */
export function cpuBetween(start: CpuReading | undefined, end: CpuReading | undefined): number | null {
  if (!start || !end || start.cpuS === null || end.cpuS === null) return null;
  if (start.starttime !== end.starttime) return null;
  const used = end.cpuS - start.cpuS;
  // Less than before: a child ended without its parent waiting for it, so its time was lost; no figure then.
  return used >= 0 ? used : null;
}

/** cpu_s, its share of one core, and ms per accepted checkout; null in, null out. */
export function cpuFigure(cpuS: number | null, windowS: number, accepted: number): CpuFigure {
  if (cpuS === null) return { cpu_s: null, core_share: null, ms_per_accepted_checkout: null };
  return {
    cpu_s: round(cpuS),
    core_share: windowS > 0 ? round(cpuS / windowS, 4) : null,
    ms_per_accepted_checkout: accepted > 0 ? round((cpuS * 1000) / accepted) : null,
  };
}

/** The sum, or null when any value is unknown or there is none. */
function sumKnown(values: (number | null)[]): number | null {
  if (values.length === 0 || values.some((v) => v === null)) return null;
  return (values as number[]).reduce((a, v) => a + v, 0);
}

export interface WindowInput {
  description: string;
  windowMs: number;
  spans: number;
  accepted: number;
  /** How many processes the stack has (1 or 7): fewer stack entries leave the stack's total unknown. */
  stackExpected: number;
  processes: { name: string; role: CpuRole; pid: number | null; detail: string; cpuS: number | null }[];
  /** Ticks of /proc/stat over the window; null when unreadable. */
  machine: { busy: number; total: number; cores: number } | null;
  clockTicksPerSec: number;
}

/** The report's CpuWindow from the seconds measured: pure arithmetic, so the unit tests pin it down. */
export function cpuWindow(input: WindowInput): CpuWindow {
  const windowS = input.windowMs / 1000;
  const figure = (cpuS: number | null) => cpuFigure(cpuS, windowS, input.accepted);
  const stackEntries = input.processes.filter((p) => p.role === 'stack');
  const complete = stackEntries.length >= input.stackExpected;
  const stackS = complete ? sumKnown(stackEntries.map((p) => p.cpuS)) : null;
  const allS = complete ? sumKnown(input.processes.map((p) => p.cpuS)) : null;
  const m = input.machine;
  const busyS = m && m.total > 0 ? m.busy / input.clockTicksPerSec : null;
  const knownS = input.processes.reduce((a, p) => a + (p.cpuS ?? 0), 0);
  return {
    description: input.description,
    window_s: round(windowS) ?? 0,
    spans: input.spans,
    accepted_checkouts: input.accepted,
    processes: Object.fromEntries(
      input.processes.map((p): [string, ProcessCpu] => [
        p.name,
        { role: p.role, pid: p.pid, detail: p.detail, ...figure(p.cpuS) },
      ]),
    ),
    stack: figure(stackS),
    all_listed: figure(allS),
    machine: {
      cores: m ? m.cores : null,
      busy_share: m && m.total > 0 ? round(m.busy / m.total, 4) : null,
      busy_cpu_s: round(busyS),
      other_cpu_s: busyS === null ? null : round(busyS - knownS),
      ms_per_accepted_checkout: figure(busyS).ms_per_accepted_checkout,
    },
  };
}

let clockTicks: { value: number; source: 'getconf' | 'default' } | null = null;

/** The kernel's clock ticks per second, asked of getconf once; 100 (Linux's usual USER_HZ) when it does not answer. */
export function clockTicksPerSec(): { value: number; source: 'getconf' | 'default' } {
  if (!clockTicks) {
    let value: number | null = null;
    try {
      value = parseClockTicks(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: 'pipe', timeout: 5000 }));
    } catch {
      value = null;
    }
    clockTicks = value === null ? { value: 100, source: 'default' } : { value, source: 'getconf' };
  }
  return clockTicks;
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function readStat(pid: number): ProcStat | null {
  const text = readText(`/proc/${pid}/stat`);
  return text === null ? null : parseProcStat(text);
}

function readAllStats(): ProcStat[] {
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  return pids.map((pid) => readStat(Number(pid))).filter((s): s is ProcStat => s !== null);
}

/** A process followed through the run: how its CPU is read. */
interface Tracked {
  name: string;
  role: CpuRole;
  pid: number | null;
  detail: string;
  /** self: its own utime + stime; tree: with its children (PostgreSQL, RabbitMQ); benchmark: process.cpuUsage(). */
  read: 'self' | 'tree' | 'benchmark';
}

interface Snapshot {
  atMs: number;
  machine: MachineTicks | null;
  readings: Map<string, CpuReading>;
}

export interface CpuSources {
  stack: StackName;
  /** The monolith's URL, or the gateway's. */
  url: string;
  /** The PostgreSQL server the lab uses (the lab's server URL, or DATABASE_URL). */
  databaseUrl?: string;
  /** Without databaseUrl: the port of the launcher's embedded PostgreSQL (EMBEDDED_PG_PORT). */
  embeddedPgPort: number;
  /** The broker of the microservices; not used for the monolith. */
  amqpUrl?: string;
  /** The mail catcher's page: the process serving it is the lab runner. */
  mailUiUrl?: string;
}

export type CpuWindowName = 'window' | 'with_settle';

export interface CpuSpan {
  /** Adds the time from the span's start until now to a window, with the checkouts accepted in that time. */
  addTo(window: CpuWindowName, accepted: number, description: string): void;
}

export interface CpuProbe {
  /** Reads every process now: the start of a span. */
  begin(): CpuSpan;
  /** The windows measured so far. */
  finish(): CpuResult;
}

const SERVICE_DEFAULT_PORTS = { postgres: 5432, amqp: 5672 } as const;

/** Finds the processes to follow: the stack's by their ports, the shared infrastructure by theirs, and this one. */
export async function cpuProbe(sources: CpuSources): Promise<CpuProbe> {
  const hz = clockTicksPerSec();
  const machineReadable = readText('/proc/stat') !== null;
  const { expected, urls, pids } = await stackProcesses(sources.stack, sources.url);
  const notes: string[] = [];

  const pgPort = sources.databaseUrl
    ? localPort(sources.databaseUrl, SERVICE_DEFAULT_PORTS.postgres)
    : sources.embeddedPgPort;
  const amqpPort =
    sources.stack === 'micro' && sources.amqpUrl ? localPort(sources.amqpUrl, SERVICE_DEFAULT_PORTS.amqp) : null;
  const mailPort = sources.mailUiUrl ? localPort(sources.mailUiUrl) : null;
  const wanted = [pgPort, amqpPort, mailPort].filter((p): p is number => p !== null);
  const infraPids = wanted.length ? pidsListeningOn(wanted) : new Map<number, number>();

  const tracked: Tracked[] = Object.keys(urls)
    .sort()
    .map((name) => {
      const pid = pids[name] ?? null;
      const port = localPort(urls[name]);
      return {
        name,
        role: 'stack' as const,
        pid,
        read: 'self' as const,
        detail:
          pid !== null
            ? `listening on port ${port}`
            : port === null
              ? `at ${urls[name]}, not on this machine`
              : `no process found listening on port ${port} on this machine`,
      };
    });
  if (tracked.length < expected) {
    notes.push(
      `${tracked.length} of the stack's ${expected} processes are known (the gateway's /health did not list them)`,
    );
  }

  // The URLs may hold a password: the detail names the port, never the URL.
  const infra = (name: string, what: string, port: number | null, children: string) => {
    const pid = port === null ? null : (infraPids.get(port) ?? null);
    const comm = pid !== null ? (readStat(pid)?.comm ?? '?') : '';
    tracked.push({
      name,
      role: 'shared infrastructure',
      pid,
      read: 'tree',
      detail:
        pid !== null
          ? `${comm} listening on port ${port}, with its children (${children})`
          : port === null
            ? `${what}: its URL names no port on this machine`
            : `${what}: no process found listening on port ${port} on this machine (another user's sockets are visible only to root)`,
    });
  };
  infra(
    'postgresql',
    sources.databaseUrl ? 'PostgreSQL' : "the launcher's embedded PostgreSQL (no database URL given)",
    pgPort,
    'the backends and background workers',
  );
  if (sources.stack === 'micro') infra('rabbitmq', 'RabbitMQ', amqpPort, 'erl_child_setup and the like');

  const mailPid = mailPort !== null ? infraPids.get(mailPort) : undefined;
  let benchmarkDetail = 'this benchmark process (process.cpuUsage()): autocannon or the rush, and the polling';
  if (mailPid === process.pid) {
    benchmarkDetail += "; it also runs the lab it started (the mail catcher, and the launcher's work)";
  } else if (mailPid !== undefined) {
    tracked.push({
      name: 'lab-runner',
      role: 'shared infrastructure',
      pid: mailPid,
      read: 'self',
      detail: `the process serving the mail catcher on port ${mailPort} (npm start's launcher), without its children`,
    });
  } else {
    notes.push('the lab runner (mail catcher) was not found on this machine');
  }
  tracked.push({
    name: 'load-generator',
    role: 'load generator',
    pid: process.pid,
    read: 'benchmark',
    detail: benchmarkDetail,
  });

  const snapshot = (): Snapshot => {
    const needTree = tracked.some((t) => t.read === 'tree' && t.pid !== null);
    const all = needTree ? readAllStats() : [];
    const readings = new Map<string, CpuReading>();
    for (const t of tracked) {
      if (t.read === 'benchmark') {
        const usage = process.cpuUsage();
        readings.set(t.name, { cpuS: (usage.user + usage.system) / 1e6, starttime: 0 });
      } else if (t.pid === null) {
        readings.set(t.name, { cpuS: null, starttime: null });
      } else if (t.read === 'tree') {
        const tree = treeTicks(all, t.pid);
        readings.set(
          t.name,
          tree
            ? { cpuS: tree.ticks / hz.value, starttime: tree.starttime, members: tree.members }
            : { cpuS: null, starttime: null },
        );
      } else {
        const stat = readStat(t.pid);
        readings.set(
          t.name,
          stat
            ? { cpuS: (stat.utime + stat.stime) / hz.value, starttime: stat.starttime }
            : { cpuS: null, starttime: null },
        );
      }
    }
    const machineText = readText('/proc/stat');
    return {
      atMs: performance.now(),
      machine: machineText === null ? null : parseMachineTicks(machineText),
      readings,
    };
  };

  interface Sum {
    description: string;
    spans: number;
    wallMs: number;
    accepted: number;
    cpuS: Map<string, number | null>;
    machine: { busy: number; total: number; cores: number } | null;
    last: Snapshot;
  }
  const sums = new Map<CpuWindowName, Sum>();

  return {
    begin(): CpuSpan {
      const start = snapshot();
      return {
        addTo(window, accepted, description) {
          const end = snapshot();
          const sum: Sum = sums.get(window) ?? {
            description,
            spans: 0,
            wallMs: 0,
            accepted: 0,
            cpuS: new Map(tracked.map((t) => [t.name, 0])),
            machine: { busy: 0, total: 0, cores: end.machine?.cores ?? 0 },
            last: end,
          };
          sum.spans += 1;
          sum.wallMs += end.atMs - start.atMs;
          sum.accepted += accepted;
          sum.last = end;
          for (const t of tracked) {
            const before = sum.cpuS.get(t.name) ?? null;
            const used = cpuBetween(start.readings.get(t.name), end.readings.get(t.name));
            sum.cpuS.set(t.name, before === null || used === null ? null : before + used);
          }
          if (sum.machine && start.machine && end.machine) {
            sum.machine.busy += end.machine.busy - start.machine.busy;
            sum.machine.total += end.machine.total - start.machine.total;
          } else {
            sum.machine = null;
          }
          sums.set(window, sum);
        },
      };
    },
    finish(): CpuResult {
      if (!machineReadable) {
        return {
          source: 'unknown',
          detail: '/proc/stat is not readable here: no CPU figures',
          clock_ticks_per_sec: null,
          clock_ticks_source: hz.source,
          window: null,
          with_settle: null,
        };
      }
      const toWindow = (sum: Sum | undefined): CpuWindow | null => {
        if (!sum) return null;
        return cpuWindow({
          description: sum.description,
          windowMs: sum.wallMs,
          spans: sum.spans,
          accepted: sum.accepted,
          stackExpected: expected,
          machine: sum.machine,
          clockTicksPerSec: hz.value,
          processes: tracked.map((t) => {
            const cpuS = sum.cpuS.get(t.name) ?? null;
            const members = sum.last.readings.get(t.name)?.members;
            let detail = t.detail;
            if (members !== undefined) detail += `; ${members} process${members === 1 ? '' : 'es'} at the end`;
            if (cpuS === null && t.pid !== null)
              detail += '; not readable at one end of the window (it exited or restarted)';
            return { name: t.name, role: t.role, pid: t.pid, detail, cpuS };
          }),
        });
      };
      return {
        source: 'proc',
        detail: [
          'utime + stime from /proc/<pid>/stat at the start and the end of the window (PostgreSQL and RabbitMQ with their children); ' +
            'the benchmark from process.cpuUsage(); the machine from /proc/stat',
          ...notes,
        ].join('; '),
        clock_ticks_per_sec: hz.value,
        clock_ticks_source: hz.source,
        window: toWindow(sums.get('window')),
        with_settle: toWindow(sums.get('with_settle')),
      };
    },
  };
}
