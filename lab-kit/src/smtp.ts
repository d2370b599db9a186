import net from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';

/**
 * The SMTP transport both stacks send their confirmation email with: plain SMTP (the lab's catcher has no TLS),
 * pooled connections as any shop would keep, and timeouts so that a dead server fails fast.
 *
 * The sockets turn Nagle's algorithm off. Without that, the end of each message waits for the server's delayed
 * ACK: about 40 ms per email on loopback, time that would blur the lesson (the deliberate slowness is
 * EMAIL_DELAY_MS, not the transport).
 */
export function createSmtpTransport(options: {
  host: string;
  port: number;
  timeoutMs?: number;
  maxConnections?: number;
}): Transporter {
  const timeoutMs = options.timeoutMs ?? 5000;
  return nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: options.maxConnections ?? 5,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: Math.max(timeoutMs, 15_000),
    getSocket: (
      socketOptions: { host?: string; port?: number },
      callback: (error: Error | null, socket?: unknown) => void,
    ) => {
      const socket = net.connect({
        host: socketOptions.host ?? options.host,
        port: socketOptions.port ?? options.port,
        noDelay: true,
      });
      const timer = setTimeout(
        () => socket.destroy(new Error(`SMTP connection to ${options.host}:${options.port} timed out`)),
        timeoutMs,
      );
      socket.once('connect', () => {
        clearTimeout(timer);
        callback(null, { connection: socket });
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        callback(error);
      });
    },
  } as nodemailer.TransportOptions);
}
