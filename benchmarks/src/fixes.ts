import { FIX_NAMES, type Fixes, NO_FIXES } from '@checkout-lab/contract';
import { ApiClient, HttpError, StackApi } from './client';
import type { BenchOptions, TargetChoice, TargetName } from './options';

/** Every fix on: the monolith-fixed target (docs/api.md, "Fixes"). */
export const ALL_FIXES: Fixes = Object.fromEntries(FIX_NAMES.map((name) => [name, true])) as Fixes;

/**
 * The fix switches a target runs with: monolith-fixed every one on; the monolith of a three-way run (--target all)
 * every one off, the blocking checkout; null: as they are (--target monolith or both measure whatever the student
 * switched, and the report says which).
 */
export function fixesFor(target: TargetName, choice: TargetChoice): Fixes | null {
  if (target === 'monolith-fixed') return ALL_FIXES;
  if (target === 'monolith' && choice === 'all') return NO_FIXES;
  return null;
}

export interface FixesInForce {
  /** The switches in force during the run; null when they could not be read (a monolith without them). */
  during: Fixes | null;
  /** Puts back what the switches were before the run; only when the run changed them. */
  restore(): Promise<void>;
}

function same(a: Fixes, b: Fixes): boolean {
  return FIX_NAMES.every((name) => a[name] === b[name]);
}

/**
 * Reads the monolith's fix switches and sets them for the run (GET and PUT /api/lab/fixes, admin). Its own client,
 * bound to no abort signal: restore() still reaches the monolith after a Ctrl-C or a failed run, which is when the
 * engine calls it (in its finally).
 */
export async function switchFixes(options: BenchOptions, wanted: Fixes | null): Promise<FixesInForce> {
  const client = new ApiClient(options.monolithUrl);
  const api = new StackApi(client);
  try {
    const token = await api.login(options.admin.email, options.admin.password);
    const read = await client.request<Fixes>('GET', '/api/lab/fixes', { token });
    if (read.status !== 200 && wanted === null) {
      client.close();
      return { during: null, restore: async () => {} };
    }
    if (read.status !== 200) throw new HttpError('read the fixes', read);
    const before = read.body;
    if (wanted === null || same(before, wanted)) {
      client.close();
      return { during: before, restore: async () => {} };
    }
    const during = (
      await client.expect<Fixes>('switch the fixes', 'PUT', '/api/lab/fixes', [200], { token, body: wanted })
    ).body;
    return {
      during,
      restore: async () => {
        try {
          // A fresh login: the run may have outlasted the first token.
          const again = await api.login(options.admin.email, options.admin.password);
          await client.expect('put the fixes back', 'PUT', '/api/lab/fixes', [200], { token: again, body: before });
        } finally {
          client.close();
        }
      },
    };
  } catch (error) {
    client.close();
    throw error;
  }
}
