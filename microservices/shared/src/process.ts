import type { Server } from 'node:http';
import type { Express } from 'express';
import { answerClientErrorsAsJson, LabSetupError, stopOnSignals } from '@checkout-lab/kit';

/** What a started service hands back: enough to stop it cleanly. */
export interface Stoppable {
  stop(): Promise<void>;
}

// LESSON: The gateway is not a wall (LESSONS.md#the-gateway-is-not-a-wall)
/**
 * Listens on port (0: a free one) and resolves once the server accepts connections. The host defaults to loopback:
 * a service is for the gateway and its peers, not for the network (BIND_HOST=0.0.0.0 in a container, where the
 * others reach it by its service name).
 */
export function listen(app: Express, port: number, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    // What Node refuses before Express (a malformed request line, 431) answers in the contract's JSON error shape too.
    const server = answerClientErrorsAsJson(app.listen(port, host));
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

/** Stops accepting connections and resolves when the open ones are done. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * The process entry of every service: start it; if it cannot start, say why in one line (a LabSetupError's message
 * is the whole explanation) and exit 1; on SIGTERM or SIGINT, stop it once and exit, and exit 1 anyway when the stop
 * has not finished within the grace period (a consumer or a send stuck on a broker that stopped answering).
 */
export function runService(name: string, start: () => Promise<Stoppable>): void {
  start().then(
    (service) => stopOnSignals(() => service.stop(), { name }),
    (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      console.error(error instanceof LabSetupError ? reason : `${name} failed to start: ${reason}`);
      process.exit(1);
    },
  );
}
