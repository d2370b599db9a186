import http from 'node:http';
import type { Logger } from '@checkout-lab/kit';
import { type InternalAuth, USER_CHANGES_PATH, type UserChange } from '@checkout-lab/shared';

export interface UserChangesHandler {
  /** The stream is open and user-service listens: every change committed from now on will arrive. */
  ready(): void;
  change(change: UserChange): void;
  /** The stream is gone (user-service stopped, restarted or lost its listener): what was learnt cannot be trusted. */
  lost(): void;
}

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;

// PERF: what lets the gateway keep the users it looked up (cachedUserDirectory, user.directory.ts).
/**
 * Follows user-service's GET /internal/users/changes (Server-Sent Events) and reconnects when it ends, waiting a
 * little longer after each failure (0.25 s to 5 s). Every end of the stream is reported as lost before anything else.
 */
export function followUserChanges(options: {
  baseUrl: string;
  auth: InternalAuth;
  log: Logger;
  handler: UserChangesHandler;
}): { close(): void } {
  let closed = false;
  let request: http.ClientRequest | null = null;
  let retry: NodeJS.Timeout | null = null;
  let wait = RETRY_MIN_MS;

  const ended = () => {
    if (request === null) return;
    request = null;
    options.handler.lost();
    if (closed) return;
    retry = setTimeout(connect, wait);
    wait = Math.min(wait * 2, RETRY_MAX_MS);
  };

  function connect() {
    retry = null;
    const url = new URL(USER_CHANGES_PATH, options.baseUrl);
    const current = http.get(url, { headers: { ...options.auth.headers(), accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        res.on('end', ended);
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          if (/^event: ready$/m.test(event)) {
            wait = RETRY_MIN_MS;
            options.handler.ready();
            continue;
          }
          const data = /^data: (.*)$/m.exec(event)?.[1];
          if (!data) continue;
          try {
            options.handler.change(JSON.parse(data) as UserChange);
          } catch {
            // A line that is not JSON cannot be trusted to name the user it meant: forget everything.
            options.handler.change({ all: true });
          }
        }
      });
      res.on('end', ended);
      res.on('error', ended);
    });
    current.on('error', (error) => {
      if (request === current) options.log.debug({ err: error }, 'user-changes feed: not connected');
      ended();
    });
    request = current;
  }

  connect();
  return {
    close() {
      closed = true;
      if (retry) clearTimeout(retry);
      request?.destroy();
    },
  };
}
