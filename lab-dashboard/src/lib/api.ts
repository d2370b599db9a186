import type { StackId } from '../../shared/types';

export interface ApiError {
  code: string;
  message: string;
  details?: unknown;
}

export interface ApiResult<T> {
  ok: boolean;
  status: number;
  body: T;
  error: ApiError | null;
  /** Milliseconds from sending the request to the whole answer, on the browser's clock. */
  elapsed_ms: number;
  location: string | null;
}

async function call<T>(url: string, init: RequestInit = {}): Promise<ApiResult<T>> {
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    return {
      ok: false,
      status: 0,
      body: null as T,
      error: { code: 'NETWORK', message: `The lab API does not answer (${(error as Error).message})` },
      elapsed_ms: performance.now() - started,
      location: null,
    };
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  const error = response.ok
    ? null
    : ((body as { error?: ApiError } | null)?.error ?? {
        code: `HTTP_${response.status}`,
        message: response.statusText,
      });
  return {
    ok: response.ok,
    status: response.status,
    body: body as T,
    error,
    elapsed_ms: performance.now() - started,
    location: response.headers.get('location'),
  };
}

function jsonInit(
  method: string,
  body?: unknown,
  token?: string | null,
  extra: Record<string, string> = {},
): RequestInit {
  const headers: Record<string, string> = { ...extra };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  return { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
}

/** A stack's public API, through the lab API's proxy (one origin, no CORS). */
export function stackApi(stack: StackId, token: string | null) {
  const base = `/stack/${stack}/api`;
  return {
    get: <T>(path: string) => call<T>(`${base}${path}`, jsonInit('GET', undefined, token)),
    post: <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>(`${base}${path}`, jsonInit('POST', body, token, headers)),
    patch: <T>(path: string, body: unknown) => call<T>(`${base}${path}`, jsonInit('PATCH', body, token)),
    del: <T>(path: string) => call<T>(`${base}${path}`, jsonInit('DELETE', undefined, token)),
  };
}

const listeners401 = new Set<() => void>();

/** Told when a change is refused for want of a login (lib/session.ts listens, to show the login again). */
export function onLoginNeeded(listener: () => void): void {
  listeners401.add(listener);
}

/**
 * A change to the lab: always JSON, even without a body (the lab API refuses anything else, so that no other site's
 * form can make one), with the session cookie the browser sends to this origin only.
 */
async function change<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
  const init = jsonInit(method, body, null, { 'content-type': 'application/json' });
  const result = await call<T>(`/api${path}`, init);
  if (result.status === 401 && path !== '/session') for (const listener of listeners401) listener();
  return result;
}

/** The lab API itself. Reading is open; a change needs the lab admin's login (lib/session.ts). */
export const labApi = {
  get: <T>(path: string) => call<T>(`/api${path}`),
  post: <T>(path: string, body?: unknown) => change<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => change<T>('PUT', path, body),
  del: <T>(path: string) => change<T>('DELETE', path),
};
