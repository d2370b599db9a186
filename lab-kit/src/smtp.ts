import net from 'node:net';
import nodemailer, { type SendMailOptions, type SentMessageInfo, type Transporter } from 'nodemailer';

/** What the transport knows about the mail server, for a /health answer. */
export interface SmtpHealth {
  /** "failing" after a send failed and none succeeded since, or while a send has waited longer than timeoutMs. */
  status: 'ok' | 'failing';
  server: string;
  /** Sends that failed in a row since the server last accepted one. */
  consecutive_failures: number;
  last_error: string | null;
  last_failure_at: string | null;
  /** When the server last accepted a send or answered a check. */
  last_success_at: string | null;
  /** Sends started and not settled yet, and how long the oldest of them has waited. */
  in_flight: number;
  oldest_in_flight_ms: number;
}

/** The lab's SMTP transport: nodemailer's pool, with a deadline on every send and the server's state on demand. */
export interface SmtpTransport {
  /** Resolves when the server accepted the message; rejects when it did not, at the latest after sendTimeoutMs. */
  sendMail(mail: SendMailOptions): Promise<SentMessageInfo>;
  health(): SmtpHealth;
  /** Closes the pool; sends still in flight fail at once (their outcome is unknown: the server may have the mail). */
  close(): void;
}

/** The mail faults of the fault lab (docs/api.md, "Faults"), as the transport reads them before each send. */
export interface SmtpFaults {
  smtp_down: boolean;
  email_failure_rate: number;
}

/** Connecting to port 0 is always refused (ECONNREFUSED): no server can listen there. */
const REFUSED_PORT = 0;

class SmtpTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

/**
 * The SMTP transport both stacks send their confirmation email with: plain SMTP (the lab's catcher has no TLS),
 * pooled connections as any shop would keep, and bounds on everything, so that a dead or wedged server fails a send
 * instead of holding it (and whatever its caller holds: a transaction, a message) for ever.
 *
 * A caller may hold a transaction and its row locks across a send (the monolith does), so connecting, the greeting and
 * every wait on the socket get timeoutMs (nodemailer's own timeouts, with its precise errors), and the send as a
 * whole gets sendTimeoutMs, enforced here: nodemailer's pool has paths where a callback never comes (a server that
 * closes during the greeting is requeued again and again; a reply that trickles in a line at a time never lets the
 * socket go idle). A send past its deadline also replaces the pool, so a wedged one cannot take the next sends down.
 *
 * The sockets turn Nagle's algorithm off. Without that, the end of each message waits for the server's delayed
 * ACK: about 40 ms per email on loopback, time that would blur the lesson (the deliberate slowness is
 * EMAIL_DELAY_MS, not the transport).
 */
export function createSmtpTransport(options: {
  host: string;
  port: number;
  /** Connection, greeting and socket-inactivity timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Deadline of one send, queueing in the pool included (default twice timeoutMs). */
  sendTimeoutMs?: number;
  maxConnections?: number;
  /**
   * The lab's mail faults, read at every send: with smtp_down every send, and with email_failure_rate that share of
   * them, goes to a server that refuses the connection. Absent: no faults.
   */
  faults?: () => SmtpFaults;
  /** Draws the sends that email_failure_rate fails (default Math.random). */
  random?: () => number;
}): SmtpTransport {
  const timeoutMs = options.timeoutMs ?? 5000;
  const sendTimeoutMs = options.sendTimeoutMs ?? 2 * timeoutMs;
  const server = `${options.host}:${options.port}`;

  const createPool = (port = options.port): Transporter =>
    nodemailer.createTransport({
      host: options.host,
      port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: options.maxConnections ?? 5,
      // A connection the server closes before answering puts its message back in the pool's queue; unbounded by
      // default, so a server that accepts and hangs up at once would keep a send going round for ever.
      maxRequeues: 1,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      getSocket: (_socketOptions: unknown, callback: (error: Error | null, socket?: unknown) => void) => {
        // The socket is handed over while it is still connecting, and getSocket never reports an error: nodemailer's
        // pool loses a connection slot for every error a getSocket reports (PoolResource.connect passes it to the
        // send without emitting 'error', so the pool never removes that resource), and after maxConnections of them
        // it stops settling sends at all. A refused or timed-out connect surfaces as a socket error instead, which
        // nodemailer's connection handles as on a socket of its own (and removes from the pool).
        const socket = net.connect({ host: options.host, port, noDelay: true });
        const timer = setTimeout(() => {
          const error = new SmtpTimeoutError(`SMTP connection to ${server} timed out after ${timeoutMs} ms`);
          socket.destroy(error);
        }, timeoutMs);
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
        callback(null, { connection: socket });
      },
    } as nodemailer.TransportOptions);

  let pool = createPool();
  // A fault sends for real, to port 0 of the same host, where nothing can ever listen: the connection is refused as
  // by a mail server that is down. The real server is left alone (the other stack may be sending to it).
  let refusing: Transporter | null = null;
  const random = options.random ?? Math.random;
  const refusingPool = (): Transporter => {
    refusing ??= createPool(REFUSED_PORT);
    return refusing;
  };
  const smtpDown = (): boolean => options.faults?.().smtp_down ?? false;
  /** The server this send goes to: the refusing one when a fault says so. */
  const serverFor = (): Transporter => {
    const failureRate = options.faults?.().email_failure_rate ?? 0;
    return smtpDown() || (failureRate > 0 && random() < failureRate) ? refusingPool() : pool;
  };
  let closed = false;
  let consecutiveFailures = 0;
  let lastError: string | null = null;
  let lastFailureAt: Date | null = null;
  let lastSuccessAt: Date | null = null;
  let lastAttemptAt = 0;
  let probing = false;
  const inFlight = new Map<symbol, { startedAt: number; fail: (error: Error) => void }>();

  const failed = (error: Error) => {
    consecutiveFailures += 1;
    lastError = error.message;
    lastFailureAt = new Date();
  };
  const succeeded = () => {
    consecutiveFailures = 0;
    lastSuccessAt = new Date();
  };

  // LESSON: A transaction is not a timeout (LESSONS.md#a-transaction-is-not-a-timeout). Whatever a caller holds
  // while it waits here, the wait ends at the deadline, whether or not nodemailer ever calls back.
  const withDeadline = <T>(work: Promise<T>, deadlineMs: number, what: string): Promise<T> => {
    const owner = pool;
    // The pool may still settle after the deadline: that late outcome has no one to go to.
    work.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const id = Symbol(what);
    return new Promise<T>((resolve, reject) => {
      inFlight.set(id, { startedAt: Date.now(), fail: reject });
      timer = setTimeout(() => {
        reject(new SmtpTimeoutError(`SMTP ${what} to ${server} did not finish within ${deadlineMs} ms`));
        if (owner === pool && !closed) {
          // A send that outlived every timeout of its own means the pool may be wedged: the next sends get a new
          // one, and the old one is closed (what still waits in it fails).
          pool = createPool();
          owner.close();
        }
      }, deadlineMs);
      work.then(resolve, reject);
    }).finally(() => {
      clearTimeout(timer);
      inFlight.delete(id);
    });
  };
  /** A failing transport asks the server again (connect, greeting, QUIT) when it has been quiet for timeoutMs. */
  const probe = () => {
    if (closed || probing || inFlight.size > 0 || Date.now() - lastAttemptAt < timeoutMs) return;
    probing = true;
    lastAttemptAt = Date.now();
    const check = (smtpDown() ? refusingPool() : pool).verify() as Promise<true>;
    check.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new SmtpTimeoutError(`SMTP check of ${server} timed out`)), sendTimeoutMs);
      check.then(() => resolve(), reject);
    })
      .then(succeeded, (error: Error) => {
        lastError = error.message;
        lastFailureAt = new Date();
      })
      .finally(() => {
        clearTimeout(timer);
        probing = false;
      });
  };

  return {
    async sendMail(mail) {
      if (closed) throw new Error(`SMTP transport to ${server} is closed`);
      lastAttemptAt = Date.now();
      try {
        const info = await withDeadline(serverFor().sendMail(mail), sendTimeoutMs, 'send');
        succeeded();
        return info;
      } catch (error) {
        failed(error as Error);
        throw error;
      }
    },

    health() {
      const now = Date.now();
      const oldest = Math.min(now, ...[...inFlight.values()].map((entry) => entry.startedAt));
      const oldestMs = now - oldest;
      const failing = consecutiveFailures > 0 || oldestMs > timeoutMs;
      if (consecutiveFailures > 0) probe();
      return {
        status: failing ? 'failing' : 'ok',
        server,
        consecutive_failures: consecutiveFailures,
        last_error: lastError,
        last_failure_at: lastFailureAt?.toISOString() ?? null,
        last_success_at: lastSuccessAt?.toISOString() ?? null,
        in_flight: inFlight.size,
        oldest_in_flight_ms: oldestMs,
      };
    },

    close() {
      if (closed) return;
      closed = true;
      const error = new Error(`SMTP transport to ${server} was closed with the send in flight`);
      for (const entry of inFlight.values()) entry.fail(error);
      pool.close();
      refusing?.close();
    },
  };
}
