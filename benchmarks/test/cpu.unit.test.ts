import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  cpuBetween,
  cpuFigure,
  cpuProbe,
  cpuWindow,
  parseClockTicks,
  parseMachineTicks,
  parseProcStat,
  type ProcStat,
  treeTicks,
  type WindowInput,
} from '../src/cpu';
import { toMarkdown } from '../src/markdown';
import type { CpuResult, Report, TargetResult } from '../src/report';

// A real line of a PostgreSQL postmaster: utime 1, stime 11, cutime 1662 (the backends it waited for), cstime 420.
const POSTMASTER =
  '12328 (postgres) S 12310 12294 4181 0 -1 4194560 8430 209640 12 5 1 11 1662 420 20 0 1 0 175407 239968256 8152 ' +
  '18446744073709551615 94102624403456 94102632904464 140726818797184 0 0 0 4194304 19935232 84487 1 0 0 17 0 0 0 0 0 0';

function stat(pid: number, ppid: number, utime: number, stime = 0, cutime = 0, cstime = 0, starttime = 1000): ProcStat {
  return { pid, comm: `p${pid}`, ppid, utime, stime, cutime, cstime, starttime };
}

describe('/proc parsing', () => {
  it('when a /proc/<pid>/stat line is read, then the times and the parent are the fields of proc(5)', () => {
    expect(parseProcStat(POSTMASTER)).toEqual({
      pid: 12328,
      comm: 'postgres',
      ppid: 12310,
      utime: 1,
      stime: 11,
      cutime: 1662,
      cstime: 420,
      starttime: 175407,
    });
  });

  it('when the process name holds spaces and parentheses, then the fields after it are still found', () => {
    const line = POSTMASTER.replace('(postgres)', '(a (b) c) d)');
    expect(parseProcStat(line)).toMatchObject({ comm: 'a (b) c) d', ppid: 12310, utime: 1, starttime: 175407 });
  });

  it('when the line is cut short or is no stat line, then it is null', () => {
    expect(parseProcStat('12328 (postgres) S 12310')).toBeNull();
    expect(parseProcStat('')).toBeNull();
  });

  it('when /proc/stat is read, then busy is user+nice+system+irq+softirq+steal and total adds idle and iowait', () => {
    const text =
      'cpu  88369 0 23289 329524 661 0 3494 63 0 0\ncpu0 45493 0 10775 164629 72 0 1485 22 0 0\ncpu1 1 0 1 1 0 0 0 0 0 0\nintr 1\n';
    expect(parseMachineTicks(text)).toEqual({ busy: 115215, total: 445400, cores: 2 });
  });

  it('when guest time is reported, then it is not added again (the kernel already counts it in user)', () => {
    const withGuest = parseMachineTicks('cpu  100 0 50 800 0 0 0 0 40 0\ncpu0 100 0 50 800 0 0 0 0 40 0\n');
    expect(withGuest).toEqual({ busy: 150, total: 950, cores: 1 });
  });

  it('when /proc/stat has no cpu line, then it is null', () => {
    expect(parseMachineTicks('intr 1\n')).toBeNull();
  });

  it('when getconf answers, then its number is the tick rate; else null (the caller falls back to 100)', () => {
    expect(parseClockTicks('100\n')).toBe(100);
    expect(parseClockTicks('250')).toBe(250);
    expect(parseClockTicks('undefined\n')).toBeNull();
    expect(parseClockTicks('0')).toBeNull();
  });
});

describe('a process with its children', () => {
  it('when the postmaster has backends, then the tree adds all their times and leaves other processes out', () => {
    const stats = [
      stat(1, 0, 500),
      stat(10, 1, 5, 1, 100, 20),
      stat(11, 10, 30, 10),
      stat(12, 10, 7, 3),
      stat(13, 11, 2),
    ];
    expect(treeTicks(stats, 10)).toEqual({
      ticks: 5 + 1 + 100 + 20 + 30 + 10 + 7 + 3 + 2,
      starttime: 1000,
      members: 4,
    });
    expect(treeTicks(stats, 99)).toBeNull();
  });

  it('when a backend ends between two readings, then its time moves into the postmaster cutime and still counts', () => {
    const before = [stat(10, 1, 5, 0, 100), stat(11, 10, 30), stat(12, 10, 7)];
    // Backend 11 used 10 more ticks and ended; the postmaster waited for it (cutime + 40); backend 12 used 3.
    const after = [stat(10, 1, 6, 0, 140), stat(12, 10, 10)];
    const a = treeTicks(before, 10);
    const b = treeTicks(after, 10);
    expect((b?.ticks ?? 0) - (a?.ticks ?? 0)).toBe(1 + 10 + 3);
  });

  it('when the readings are of different processes, unknown or going backwards, then the CPU between them is null', () => {
    expect(cpuBetween({ cpuS: 1, starttime: 5 }, { cpuS: 3.5, starttime: 5 })).toBe(2.5);
    expect(cpuBetween({ cpuS: 1, starttime: 5 }, { cpuS: 3.5, starttime: 6 })).toBeNull();
    expect(cpuBetween({ cpuS: null, starttime: null }, { cpuS: 3.5, starttime: 5 })).toBeNull();
    expect(cpuBetween({ cpuS: 4, starttime: 5 }, { cpuS: 3.5, starttime: 5 })).toBeNull();
    expect(cpuBetween(undefined, { cpuS: 3.5, starttime: 5 })).toBeNull();
  });
});

describe('CPU figures of a window', () => {
  it('when 2.5 CPU s are used in 10 s with 500 accepted checkouts, then it is a quarter core and 5 ms per checkout', () => {
    expect(cpuFigure(2.5, 10, 500)).toEqual({ cpu_s: 2.5, core_share: 0.25, ms_per_accepted_checkout: 5 });
    expect(cpuFigure(2.5, 10, 0)).toEqual({ cpu_s: 2.5, core_share: 0.25, ms_per_accepted_checkout: null });
    expect(cpuFigure(null, 10, 500)).toEqual({ cpu_s: null, core_share: null, ms_per_accepted_checkout: null });
  });

  const input = (over: Partial<WindowInput> = {}): WindowInput => ({
    description: 'the load',
    windowMs: 10_000,
    spans: 1,
    accepted: 100,
    stackExpected: 2,
    clockTicksPerSec: 100,
    machine: { busy: 1600, total: 2000, cores: 2 },
    processes: [
      { name: 'api-gateway', role: 'stack', pid: 1, detail: '', cpuS: 3 },
      { name: 'order-service', role: 'stack', pid: 2, detail: '', cpuS: 4 },
      { name: 'postgresql', role: 'shared infrastructure', pid: 3, detail: '', cpuS: 2 },
      { name: 'load-generator', role: 'load generator', pid: 4, detail: '', cpuS: 5 },
    ],
    ...over,
  });

  it('when every process is read, then the stack, everything listed and the machine add up', () => {
    const w = cpuWindow(input());
    expect(w.processes['order-service']).toMatchObject({ cpu_s: 4, core_share: 0.4, ms_per_accepted_checkout: 40 });
    expect(w.stack).toEqual({ cpu_s: 7, core_share: 0.7, ms_per_accepted_checkout: 70 });
    expect(w.all_listed).toEqual({ cpu_s: 14, core_share: 1.4, ms_per_accepted_checkout: 140 });
    // 1600 busy ticks at 100/s: 16 CPU s of 20, 2 of them outside the listed processes.
    expect(w.machine).toEqual({
      cores: 2,
      busy_share: 0.8,
      busy_cpu_s: 16,
      other_cpu_s: 2,
      ms_per_accepted_checkout: 160,
    });
  });

  it('when one process of the stack is unknown, then the totals are unknown too, never a partial sum', () => {
    const processes = input().processes.map((p) => (p.name === 'api-gateway' ? { ...p, pid: null, cpuS: null } : p));
    const w = cpuWindow(input({ processes }));
    expect(w.processes['api-gateway']).toMatchObject({ pid: null, cpu_s: null, ms_per_accepted_checkout: null });
    expect(w.stack.cpu_s).toBeNull();
    expect(w.all_listed.ms_per_accepted_checkout).toBeNull();
    // The machine figure stays, and what is not in a known process counts as "other".
    expect(w.machine.other_cpu_s).toBe(5);
  });

  it('when fewer stack processes are known than the stack has, then the stack total is unknown', () => {
    const w = cpuWindow(input({ stackExpected: 7 }));
    expect(w.stack.cpu_s).toBeNull();
    expect(w.all_listed.cpu_s).toBeNull();
  });

  it('when infrastructure is unknown, then the stack total stands and everything listed is unknown', () => {
    const processes = input().processes.map((p) => (p.name === 'postgresql' ? { ...p, pid: null, cpuS: null } : p));
    const w = cpuWindow(input({ processes }));
    expect(w.stack.cpu_s).toBe(7);
    expect(w.all_listed.cpu_s).toBeNull();
  });

  it('when /proc/stat was not readable, then every machine figure is unknown', () => {
    expect(cpuWindow(input({ machine: null })).machine).toEqual({
      cores: null,
      busy_share: null,
      busy_cpu_s: null,
      other_cpu_s: null,
      ms_per_accepted_checkout: null,
    });
  });

  it('when report.md is written, then an unknown figure reads "unknown", never a number', () => {
    const processes = input().processes.map((p) => (p.name === 'postgresql' ? { ...p, pid: null, cpuS: null } : p));
    const cpu: CpuResult = {
      source: 'proc',
      detail: '',
      clock_ticks_per_sec: 100,
      clock_ticks_source: 'getconf',
      window: cpuWindow(input({ processes })),
      with_settle: cpuWindow(input({ windowMs: 12_000 })),
    };
    const target = {
      stack: 'micro',
      metrics: { checkouts: 100, accepted: 100, confirmed: 100, cancelled: 0, refused: 0, not_final: 0 },
      goals: [],
      invariants: [],
      http: { total: 0, by_status: {}, network_errors: 0, status_5xx: 0 },
      notes: [],
      cpu,
    } as unknown as TargetResult;
    const report = {
      scenario: 'throughput',
      passed: true,
      failures: [],
      started_at: '',
      duration_sec: 1,
      environment: { cpu_model: 'x', cores: 2, node: 'v20', postgres: 'unknown', rabbitmq: 'unknown', git_commit: 'x' },
      options: { target: 'micro' },
      baseline: null,
      targets: { micro: target },
    } as unknown as Report;
    const md = toMarkdown(report);
    expect(md).toContain('| CPU ms per accepted checkout: the stack / everything listed | 70 / unknown |');
    expect(md).toContain(
      '| microservices | postgresql | shared infrastructure | – | unknown | unknown | unknown | 20 |',
    );
    expect(md).toContain('| microservices | order-service | stack | 2 | 4 | 40 % | 40 | 40 |');
  });
});

describe('the CPU probe', () => {
  it('when the stack is this process, then the CPU it burns in the window is counted; PostgreSQL not found is unknown', async () => {
    const server = http.createServer((_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const probe = await cpuProbe({
        stack: 'monolith',
        url: `http://127.0.0.1:${port}`,
        databaseUrl: 'postgres://postgres@127.0.0.1:9/postgres',
        embeddedPgPort: 9,
      });
      const span = probe.begin();
      // Burn 300 ms of this process's own CPU (not of the wall clock: on a loaded machine 300 ms of wall time may get
      // far less CPU), as the process itself counts it.
      const start = process.cpuUsage();
      const used = () => {
        const delta = process.cpuUsage(start);
        return (delta.user + delta.system) / 1000;
      };
      while (used() < 300) Math.sqrt(Math.random());
      span.addTo('window', 3, 'a busy loop');
      const result = probe.finish();
      expect(result.source).toBe('proc');
      const w = result.window;
      expect(w?.accepted_checkouts).toBe(3);
      expect(w?.processes.monolith.pid).toBe(process.pid);
      // Ticks are 10 ms at 100/s: 300 ms of busy loop reads at least 0.2 s.
      expect(w?.processes.monolith.cpu_s).toBeGreaterThanOrEqual(0.2);
      expect(w?.processes['load-generator'].cpu_s).toBeGreaterThanOrEqual(0.2);
      expect(w?.processes.postgresql).toMatchObject({ pid: null, cpu_s: null, role: 'shared infrastructure' });
      expect(w?.all_listed.cpu_s).toBeNull();
      expect(w?.machine.busy_share).toBeGreaterThan(0);
      expect(result.with_settle).toBeNull();
    } finally {
      server.close();
    }
  });

  it('when PostgreSQL is on another machine, then it is unknown and its URL (with the password) stays out', async () => {
    const probe = await cpuProbe({
      stack: 'monolith',
      url: 'http://203.0.113.7:8000',
      databaseUrl: 'postgres://postgres:secret-pw@203.0.113.7:5432/postgres',
      embeddedPgPort: 9,
    });
    probe.begin().addTo('window', 0, 'nothing');
    const result = probe.finish();
    expect(result.window?.processes.monolith).toMatchObject({ pid: null, cpu_s: null });
    expect(result.window?.processes.postgresql.detail).toContain('no port on this machine');
    expect(result.window?.stack.cpu_s).toBeNull();
    expect(JSON.stringify(result)).not.toContain('secret-pw');
  });
});
