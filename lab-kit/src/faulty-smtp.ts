import net from 'node:net';
import { freePort } from './ports';

/**
 * How the faulty SMTP server behaves, each a way a real mail server fails:
 * - `refuse`: nothing listens on the port, so every connection is refused (the server is down);
 * - `hang`: connections are accepted and never greeted (an overloaded or wedged server);
 * - `trickle`: the server greets, then answers EHLO with an endless multi-line reply, one line every 100 ms: the
 *   connection is never idle, so no socket timeout fires, and only a deadline on the whole send ends it;
 * - `forward`: every connection is piped to a real SMTP server (the mail catcher): the server is back.
 */
export type FaultySmtpMode = 'refuse' | 'hang' | 'trickle' | 'forward';

export interface FaultySmtp {
  port: number;
  readonly mode: FaultySmtpMode;
  /** Connections accepted since the start (in every mode but `refuse`). */
  readonly accepted: number;
  /** Switches the behaviour; connections of the previous mode are cut. `forward` needs the real server's port. */
  set(mode: FaultySmtpMode, forwardToPort?: number): Promise<void>;
  stop(): Promise<void>;
}

/** An SMTP server on a port of its own that fails on demand, for tests of what a mail outage does to a stack. */
export async function startFaultySmtp(mode: FaultySmtpMode, forwardToPort?: number): Promise<FaultySmtp> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let current: FaultySmtpMode = 'refuse';
  let target: number | undefined;
  let accepted = 0;

  const handle = (socket: net.Socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    if (current === 'forward' && target) {
      const upstream = net.connect({ host: '127.0.0.1', port: target });
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
      upstream.on('close', () => socket.destroy());
      socket.pipe(upstream).pipe(socket);
    } else if (current === 'trickle') {
      socket.write('220 faulty.lab ESMTP\r\n');
      socket.once('data', () => {
        const timer = setInterval(() => socket.write('250-still thinking\r\n'), 100);
        socket.on('close', () => clearInterval(timer));
      });
    }
    // hang: accepted, and nothing is ever written.
  };

  const close = async () => {
    for (const socket of sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = null;
  };

  const set = async (mode: FaultySmtpMode, forwardTo?: number) => {
    if (mode === 'forward' && !forwardTo) throw new Error('forward needs the port of a real SMTP server');
    await close();
    current = mode;
    target = forwardTo;
    if (mode === 'refuse') return;
    const listening = net.createServer(handle);
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => resolve());
    });
    server = listening;
  };

  await set(mode, forwardToPort);
  return {
    port,
    get mode() {
      return current;
    },
    get accepted() {
      return accepted;
    },
    set,
    stop: close,
  };
}
