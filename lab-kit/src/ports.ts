import net from 'node:net';
import { LabSetupError } from './errors';

/** Resolves when nothing listens on host:port, else throws a one-line explanation naming the variable to change. */
export async function assertPortFree(port: number, what: string, variable: string, host = '127.0.0.1'): Promise<void> {
  const free = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
  if (!free) {
    throw new LabSetupError(
      `Port ${port} (${what}) is already in use: stop what runs there (is the lab already started?) or set ${variable} to another port.`,
    );
  }
}

/**
 * Ports freePort hands out: below Linux's ephemeral range (32768-60999), where every `listen(0)` and every outgoing
 * connection gets its port. A port picked there and handed to a child process that needs a second or two to listen
 * could meanwhile be taken by any server of a parallel test listening on port 0; below the range only another
 * freePort caller could take it, and it picks at random from 12,000 ports and never twice in one process.
 */
const HANDED_OUT_RANGE = { from: 20_000, to: 32_767 } as const;
const handedOut = new Set<number>();

function listensFree(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(null));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}

/** A port that is free right now (for tests and child processes that cannot listen on port 0 themselves). */
export async function freePort(): Promise<number> {
  const span = HANDED_OUT_RANGE.to - HANDED_OUT_RANGE.from + 1;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = HANDED_OUT_RANGE.from + Math.floor(Math.random() * span);
    if (handedOut.has(port)) continue;
    if ((await listensFree(port)) !== null) {
      handedOut.add(port);
      return port;
    }
  }
  // That range is crowded on this machine: let the OS choose.
  const port = await listensFree(0);
  if (port === null) throw new Error('no free port to listen on');
  return port;
}

/** True when something accepts TCP connections on host:port within timeoutMs. */
export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
