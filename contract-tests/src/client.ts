import crypto from 'node:crypto';

export interface ApiResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: contract tests read JSON bodies loosely and assert on them
  body: any;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as is, for malformed JSON. */
  raw?: string;
  headers?: Record<string, string>;
}

/** A thin JSON client for one stack's public base URL: the only thing the contract suite knows about a stack. */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async call(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
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
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text, the assertion on the shape will say so
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  get = (path: string, options?: RequestOptions) => this.call('GET', path, options);
  post = (path: string, options?: RequestOptions) => this.call('POST', path, options);
  put = (path: string, options?: RequestOptions) => this.call('PUT', path, options);
  patch = (path: string, options?: RequestOptions) => this.call('PATCH', path, options);
  delete = (path: string, options?: RequestOptions) => this.call('DELETE', path, options);

  async login(email: string, password: string): Promise<string> {
    const response = await this.post('/api/auth/login', { body: { email, password } });
    if (response.status !== 200) throw new Error(`login of ${email} answered ${response.status}`);
    return response.body.access_token;
  }

  /** Registers a fresh buyer with a unique email and logs in. */
  async buyer(label = 'buyer'): Promise<{ id: number; email: string; token: string }> {
    const email = `${label}.${crypto.randomBytes(5).toString('hex')}@contract.test`;
    const response = await this.post('/api/auth/register', {
      body: { email, password: 'contract-password', full_name: `Contract ${label}` },
    });
    if (response.status !== 201)
      throw new Error(`register answered ${response.status} ${JSON.stringify(response.body)}`);
    return { id: response.body.id, email, token: await this.login(email, 'contract-password') };
  }
}

/** Polls fn until accept says yes, or throws with the last value after timeoutMs. */
export async function pollUntil<T>(
  fn: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await fn();
    if (accept(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`condition not reached in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
