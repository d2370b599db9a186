import fs from 'node:fs';
import type { StackName } from './options';
import type { MemoryResult } from './report';

/**
 * Memory of a stack's processes: their resident set size (VmRSS in /proc/<pid>/status), idle before the run and at
 * the peak during it. The processes are found by the ports they listen on (the monolith's; the gateway's and, from
 * the gateway's aggregated /health, every service's), through /proc/net/tcp and each process's open sockets, so it
 * works for a lab the CLI started and for one running on this machine; elsewhere it is "unknown".
 */

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0']);

/** Every TCP socket of this machine (/proc/net/tcp and tcp6): its local port, state (0A LISTEN, 01 ESTABLISHED), inode. */
export function tcpSockets(): { localPort: number; state: string; inode: string }[] {
  const sockets: { localPort: number; state: string; inode: string }[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      sockets.push({ localPort: Number.parseInt(cols[1].split(':').pop() ?? '', 16), state: cols[3], inode: cols[9] });
    }
  }
  return sockets;
}

/** The inodes of the sockets listening on each port (state 0A is LISTEN). */
function listeningInodes(ports: Set<number>): Map<string, number> {
  const byInode = new Map<string, number>();
  for (const socket of tcpSockets())
    if (socket.state === '0A' && ports.has(socket.localPort)) byInode.set(socket.inode, socket.localPort);
  return byInode;
}

/** port -> pid of the process holding its listening socket, for the ports found. */
export function pidsListeningOn(ports: number[]): Map<number, number> {
  const found = new Map<number, number>();
  const inodes = listeningInodes(new Set(ports));
  if (inodes.size === 0) return found;
  let pids: string[] = [];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return found;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      const port = m ? inodes.get(m[1]) : undefined;
      if (port !== undefined && !found.has(port)) found.set(port, Number(pid));
    }
    if (found.size === inodes.size) break;
  }
  return found;
}

/** VmRSS of a process in bytes, or null when it is gone or unreadable. */
export function rssBytes(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The port of a URL on this machine (defaultPort when it names none), or null when it points elsewhere. */
export function localPort(url: string, defaultPort?: number): number | null {
  try {
    const u = new URL(url);
    if (!LOCAL_HOSTS.has(u.hostname)) return null;
    return Number(u.port || defaultPort || (u.protocol === 'https:' ? 443 : 80));
  } catch {
    return null;
  }
}

/** The stack's processes by name with the URL each listens at. */
async function processUrls(stack: StackName, url: string): Promise<Record<string, string>> {
  if (stack === 'monolith') return { monolith: url };
  const urls: Record<string, string> = { 'api-gateway': url };
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
    const body = (await response.json()) as { services?: Record<string, { url?: string }> };
    for (const [name, s] of Object.entries(body.services ?? {})) if (s.url) urls[name] = s.url;
  } catch {
    // The gateway alone, then: reported as incomplete below.
  }
  return urls;
}

/** The processes of a stack found listening on this machine, by name, with how many the stack has. */
export interface StackProcesses {
  /** 1 for the monolith, 7 for the microservices (the gateway and six services). */
  expected: number;
  /** Every process the stack is known to have, with the URL it listens at (the gateway's /health names the rest). */
  urls: Record<string, string>;
  /** The pid of each process found listening on its port on this machine. */
  pids: Record<string, number>;
}

/** Finds the stack's processes by the ports they listen on; the memory and CPU probes both start here. */
export async function stackProcesses(stack: StackName, url: string): Promise<StackProcesses> {
  const expected = stack === 'monolith' ? 1 : 7;
  const urls = await processUrls(stack, url);
  const ports = Object.fromEntries(
    Object.entries(urls)
      .map(([name, u]) => [name, localPort(u)] as const)
      .filter((e): e is [string, number] => e[1] !== null),
  );
  const pidByPort = pidsListeningOn(Object.values(ports));
  const pids: Record<string, number> = {};
  for (const [name, port] of Object.entries(ports)) {
    const pid = pidByPort.get(port);
    if (pid !== undefined) pids[name] = pid;
  }
  return { expected, urls, pids };
}

export interface MemoryProbe {
  /** Starts sampling every intervalMs (after one idle sample, taken now). */
  start(intervalMs?: number): void;
  /** Stops sampling and returns the figures. */
  finish(): MemoryResult;
}

/** Finds the stack's processes and takes the idle sample; sampling during the run starts with start(). */
export async function memoryProbe(stack: StackName, url: string): Promise<MemoryProbe> {
  const { expected, urls, pids } = await stackProcesses(stack, url);
  const names = Object.keys(pids).sort();
  const known = names.length === expected;
  const sample = () => Object.fromEntries(names.map((n) => [n, rssBytes(pids[n])] as const));
  const sum = (s: Record<string, number | null>) =>
    Object.values(s).every((v) => v !== null) ? Object.values(s).reduce<number>((a, v) => a + (v ?? 0), 0) : null;
  const idle = sample();
  const peak: Record<string, number | null> = { ...idle };
  let peakTotal = sum(idle);
  let samples = 1;
  let timer: NodeJS.Timeout | null = null;
  const take = () => {
    const s = sample();
    samples += 1;
    for (const n of names) {
      const v = s[n];
      if (v !== null && (peak[n] === null || v > (peak[n] as number))) peak[n] = v;
    }
    const total = sum(s);
    if (total !== null && (peakTotal === null || total > peakTotal)) peakTotal = total;
  };
  return {
    start(intervalMs = 200) {
      if (!known || timer) return;
      timer = setInterval(take, intervalMs);
      timer.unref();
    },
    finish(): MemoryResult {
      if (timer) {
        clearInterval(timer);
        timer = null;
        take();
      }
      if (!known) {
        return {
          source: 'unknown',
          detail: `found ${names.length} of the ${expected} processes listening on this machine (${Object.keys(urls).length} URLs known)`,
          processes: {},
          process_count: 0,
          idle_rss_bytes: null,
          peak_rss_bytes: null,
          samples: 0,
        };
      }
      return {
        source: 'proc',
        detail: 'VmRSS from /proc/<pid>/status of the processes listening on the stack ports',
        processes: Object.fromEntries(
          names.map((n) => [n, { pid: pids[n], idle_rss_bytes: idle[n], peak_rss_bytes: peak[n] }]),
        ),
        process_count: names.length,
        idle_rss_bytes: sum(idle),
        peak_rss_bytes: peakTotal,
        samples,
      };
    },
  };
}
