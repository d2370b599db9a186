import { useEffect, useSyncExternalStore } from 'react';
import { labApi, onLoginNeeded } from './api';
import type { LabSession } from '../../shared/types';

/**
 * Whether the lab admin is logged in to the lab API. The session itself is an HttpOnly cookie the page never sees;
 * this is only what GET /api/session said last, so the page can offer the login and disable what needs it.
 */
let current: LabSession = { logged_in: false, email: null };
let loaded = false;
const listeners = new Set<() => void>();

function set(next: LabSession): void {
  current = next;
  loaded = true;
  for (const listener of listeners) listener();
}

export async function refreshSession(): Promise<void> {
  const result = await labApi.get<LabSession>('/session');
  if (result.ok) set(result.body);
}

/** Null when logged in, else what went wrong, to show beside the form. */
export async function logIn(email: string, password: string): Promise<string | null> {
  const result = await labApi.post<LabSession>('/session', { email, password });
  if (!result.ok) return result.error?.message ?? 'The lab API did not log you in';
  set(result.body);
  return null;
}

export async function logOut(): Promise<void> {
  await labApi.del('/session');
  set({ logged_in: false, email: null });
}

// A change answered 401: the session ended (the lab API restarted, or it expired).
onLoginNeeded(() => {
  if (current.logged_in) set({ logged_in: false, email: null });
});

export function useLabSession(): LabSession {
  const session = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
  useEffect(() => {
    if (!loaded) void refreshSession();
  }, []);
  return session;
}
