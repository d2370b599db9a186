import type { Faults, FaultsAnswer, Fixes, Knobs, Order } from '@checkout-lab/contract';
import { parseInput } from '@checkout-lab/kit';
import { z } from 'zod';
import type { DeadLetter, LabOrder, Patterns, StackId } from '../shared/types';

export const STACK_NAMES: Record<StackId, string> = { monolith: 'Monolith', micro: 'Microservices' };

/** A stack answered with an error, or did not answer at all. Carries the stack's own error body when there is one. */
export class StackError extends Error {
  constructor(
    readonly stack_id: StackId,
    readonly status: number,
    message: string,
    /** The stack's own error code (FAULT_NOT_IMPLEMENTED, NOT_FOUND…); null when it did not answer. */
    readonly code: string | null = null,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}

/**
 * Talks to one stack as the lab's admin: logs in with LAB_ADMIN_EMAIL / LAB_ADMIN_PASSWORD, keeps the token, and
 * logs in again when the stack forgets it (a restart with another JWT secret, an expired token).
 */
export class StackClient {
  private token: string | null = null;

  constructor(
    readonly stack: StackId,
    readonly baseUrl: string,
    private readonly admin: { email: string; password: string },
  ) {}

  getConfig(): Promise<Knobs> {
    return this.admincall('GET', '/api/lab/config');
  }

  putConfig(knobs: Partial<Knobs>): Promise<Knobs> {
    return this.admincall('PUT', '/api/lab/config', knobs);
  }

  reset(): Promise<unknown> {
    return this.admincall('POST', '/api/lab/reset', undefined, 60_000);
  }

  orders(since: string): Promise<LabOrder[]> {
    return this.admincall('GET', `/api/lab/orders?since=${encodeURIComponent(since)}`);
  }

  /** The gateway's dead letters (GET /api/lab/dead-letters); the monolith has none. */
  deadLetters(): Promise<DeadLetter[]> {
    return this.admincall('GET', '/api/lab/dead-letters');
  }

  /** Sends the letters with these ids (all, without ids) back to their queues, each once. */
  redriveDeadLetters(ids?: string[]): Promise<{ redriven: number }> {
    return this.admincall('POST', '/api/lab/dead-letters/redrive', ids ? { ids } : {}, 30_000);
  }

  /** The stack's faults in force and its catalog (GET /api/lab/faults). */
  faults(): Promise<FaultsAnswer> {
    return this.admincall('GET', '/api/lab/faults');
  }

  putFaults(changes: Partial<Faults>): Promise<FaultsAnswer> {
    return this.admincall('PUT', '/api/lab/faults', changes);
  }

  resetFaults(): Promise<FaultsAnswer> {
    return this.admincall('POST', '/api/lab/faults/reset');
  }

  /** The gateway's reliability patterns (GET /api/lab/patterns); the monolith answers 404 NOT_APPLICABLE. */
  patterns(): Promise<Patterns> {
    return this.admincall('GET', '/api/lab/patterns');
  }

  putPatterns(changes: Partial<Patterns>): Promise<Patterns> {
    return this.admincall('PUT', '/api/lab/patterns', changes);
  }

  /** The monolith's fix switches (GET /api/lab/fixes); the gateway answers 404 NOT_APPLICABLE. */
  fixes(): Promise<Fixes> {
    return this.admincall('GET', '/api/lab/fixes');
  }

  putFixes(changes: Partial<Fixes>): Promise<Fixes> {
    return this.admincall('PUT', '/api/lab/fixes', changes);
  }

  /** One order, as the stack's admin reads it (GET /api/orders/:id). */
  order(id: number): Promise<Order> {
    return this.admincall('GET', `/api/orders/${id}`);
  }

  async adminToken(): Promise<string> {
    if (this.token) return this.token;
    const body = await this.call<{ access_token: string }>('POST', '/api/auth/login', this.admin, null);
    this.token = body.access_token;
    return this.token;
  }

  private async admincall<T>(method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<T> {
    const token = await this.adminToken();
    try {
      return await this.call<T>(method, path, body, token, timeoutMs);
    } catch (error) {
      if (!(error instanceof StackError) || error.status !== 401) throw error;
      this.token = null;
      return this.call<T>(method, path, body, await this.adminToken(), timeoutMs);
    }
  }

  private async call<T>(
    method: string,
    path: string,
    body: unknown,
    token: string | null,
    timeoutMs = 10_000,
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new StackError(
        this.stack,
        502,
        `${STACK_NAMES[this.stack]} does not answer at ${this.baseUrl} (${(error as Error).message})`,
      );
    }
    const text = await response.text();
    const json = text ? safeJson(text) : null;
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
      throw new StackError(
        this.stack,
        response.status,
        `${STACK_NAMES[this.stack]}: ${error?.message ?? `answered ${response.status}`}`,
        error?.code ?? null,
        error?.details ?? null,
      );
    }
    return json as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const targetSchema = z.enum(['monolith', 'micro', 'both']).default('both');

export function pickStacks(target: string | undefined): StackId[] {
  const chosen = parseInput(targetSchema, target ?? undefined);
  return chosen === 'both' ? ['monolith', 'micro'] : [chosen];
}

/** Calls every chosen stack; one that fails does not hide the others' answers. */
export async function onEachStack<T>(
  ids: StackId[],
  call: (id: StackId) => Promise<T>,
): Promise<Partial<Record<StackId, T | { error: { code: string; message: string } }>>> {
  const entries = await Promise.all(
    ids.map(async (id) => {
      try {
        return [id, await call(id)] as const;
      } catch (error) {
        const message = (error as Error).message;
        return [
          id,
          { error: { code: error instanceof StackError ? 'STACK_ERROR' : 'INTERNAL_ERROR', message } },
        ] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}
