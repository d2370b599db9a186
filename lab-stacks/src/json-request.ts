/** What a test's request carries besides its method and URL. */
export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as is, for malformed JSON. */
  raw?: string;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies loosely and assert on them
  body: any;
  headers: Headers;
}

/** What sends the request: fetch, or anything that answers as fetch does (a request from a chosen local address). */
export type SendRequest = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<Response>;

/**
 * One request of the tests and the contract suite to a stack: the token as a bearer header, the body as JSON (or raw,
 * for malformed JSON), and the answer's body parsed from JSON (its text when it is not JSON, null when empty).
 */
export async function jsonRequest(
  url: string,
  method: string,
  options: RequestOptions = {},
  send: SendRequest = fetch,
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    headers['content-type'] ??= 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await send(url, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text, the assertion on the shape will say so
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
