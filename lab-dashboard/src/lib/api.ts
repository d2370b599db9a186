import type { StackId } from './types';

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

/** The lab API itself. */
export const labApi = {
  get: <T>(path: string) => call<T>(`/api${path}`),
  post: <T>(path: string, body?: unknown) => call<T>(`/api${path}`, jsonInit('POST', body)),
  put: <T>(path: string, body: unknown) => call<T>(`/api${path}`, jsonInit('PUT', body)),
  del: <T>(path: string) => call<T>(`/api${path}`, jsonInit('DELETE')),
};
