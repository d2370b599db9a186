import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { LabOrder } from '@checkout-lab/contract';
import type { Knobs } from '@checkout-lab/kit';
import type { AuditTruth } from '@checkout-lab/stacks/verdict';
import type { HttpCounts } from './report';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: http.IncomingHttpHeaders;
  /** Time from sending the request to the end of the response body, measured by this client with performance.now(). */
  latencyMs: number;
}

/** One row of GET /api/lab/orders: the contract's type. */
export type { LabOrder };

export interface OrderBody {
  id: number;
  status: string;
  items: { product_id: number; quantity: number; unit_price?: string }[];
  processing_duration_ms: number | null;
  completion_duration_ms: number | null;
  failure_reason: string | null;
}

export interface ProductBody {
  id: number;
  name: string;
  stock: number;
  price: string;
}

export function newHttpCounts(): HttpCounts {
  return { total: 0, by_status: {}, network_errors: 0, status_5xx: 0 };
}

export function countStatus(counts: HttpCounts, status: number): void {
  counts.total += 1;
  counts.by_status[status] = (counts.by_status[status] ?? 0) + 1;
  if (status >= 500) counts.status_5xx += 1;
}

/** Adds b's counts into a. */
export function mergeCounts(a: HttpCounts, b: HttpCounts): void {
  a.total += b.total;
  a.network_errors += b.network_errors;
  a.status_5xx += b.status_5xx;
  for (const [status, n] of Object.entries(b.by_status)) a.by_status[status] = (a.by_status[status] ?? 0) + n;
}

export class HttpError extends Error {
  constructor(
    readonly what: string,
    readonly response: ApiResponse,
  ) {
    super(`${what}: HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
  }
}

/**
 * A small JSON client on node:http with keep-alive sockets and no socket limit, so that N buyers really send
 * N requests at once and the client adds as little as possible to the latency it measures.
 */
export class ApiClient {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  /** Every answer this client got, by status; a run reads and resets it per phase. */
  counts = newHttpCounts();

  constructor(
    readonly baseUrl: string,
    readonly signal?: AbortSignal,
  ) {}

  request<T = unknown>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<ApiResponse<T>> {
    const url = new URL(path, this.baseUrl);
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        url,
        { method, headers, agent: this.agent, signal: this.signal, timeout: options.timeoutMs ?? 60_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const latencyMs = performance.now() - started;
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = text ? JSON.parse(text) : null;
            } catch {
              // not JSON: keep the text
            }
            countStatus(this.counts, res.statusCode ?? 0);
            resolve({ status: res.statusCode ?? 0, body: body as T, headers: res.headers, latencyMs });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
      req.on('error', (error) => {
        if ((error as Error).name !== 'AbortError') this.counts.network_errors += 1;
        reject(error);
      });
      req.end(payload);
    });
  }

  /** A request that must succeed with one of the expected statuses. 429 (the gateway's rate limit) is waited out. */
  async expect<T>(
    what: string,
    method: string,
    path: string,
    expected: number[],
    options: { token?: string; body?: unknown } = {},
  ): Promise<ApiResponse<T>> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.request<T>(method, path, options);
      if (response.status === 429 && attempt < 60) {
        const retryAfter = Number(response.headers['retry-after']);
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 10) * 1000 : 500, this.signal);
        continue;
      }
      if (!expected.includes(response.status)) throw new HttpError(what, response);
      return response;
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The calls the benchmark makes against one stack: the contract of docs/api.md and the lab endpoints. */
export class StackApi {
  constructor(readonly client: ApiClient) {}

  async login(email: string, password: string): Promise<string> {
    const r = await this.client.expect<{ access_token: string }>('log in', 'POST', '/api/auth/login', [200], {
      body: { email, password },
    });
    return r.body.access_token;
  }

  async registerAndLogin(email: string, password: string, fullName: string): Promise<string> {
    await this.client.expect('register', 'POST', '/api/auth/register', [201], {
      body: { email, password, full_name: fullName },
    });
    return this.login(email, password);
  }

  async reset(adminToken: string): Promise<void> {
    await this.client.expect('reset the lab', 'POST', '/api/lab/reset', [200], { token: adminToken });
  }

  async setKnobs(adminToken: string, knobs: Knobs): Promise<Knobs> {
    const r = await this.client.expect<Knobs>('set the knobs', 'PUT', '/api/lab/config', [200], {
      token: adminToken,
      body: knobs,
    });
    return r.body;
  }

  async products(): Promise<ProductBody[]> {
    const r = await this.client.expect<{ items: ProductBody[] }>(
      'list products',
      'GET',
      '/api/products?limit=100',
      [200],
    );
    return r.body.items;
  }

  async productByName(name: string): Promise<ProductBody> {
    const r = await this.client.expect<{ items: ProductBody[] }>(
      'find a product',
      'GET',
      `/api/products?q=${encodeURIComponent(name)}&limit=100`,
      [200],
    );
    const found = r.body.items.find((p) => p.name === name);
    if (!found) throw new Error(`no product named "${name}" in the catalogue (was the seed changed?)`);
    return found;
  }

  async setStock(adminToken: string, productId: number, stock: number): Promise<void> {
    await this.client.expect('set the stock', 'PATCH', `/api/products/${productId}`, [200], {
      token: adminToken,
      body: { stock },
    });
  }

  async addToCart(token: string, productId: number, quantity = 1): Promise<void> {
    await this.client.expect('add to cart', 'POST', '/api/cart/items', [200, 201], {
      token,
      body: { product_id: productId, quantity },
    });
  }

  checkout(token: string): Promise<ApiResponse<OrderBody & { error?: { code: string } }>> {
    return this.client.request('POST', '/api/orders/checkout', { token });
  }

  async order(token: string, id: number): Promise<OrderBody> {
    return (await this.client.expect<OrderBody>('read an order', 'GET', `/api/orders/${id}`, [200], { token })).body;
  }

  labOrders(adminToken: string, since: string): Promise<LabOrder[]> {
    return this.labReadSince<LabOrder[]>('read the lab orders', '/api/lab/orders', adminToken, since);
  }

  audit(adminToken: string, since: string): Promise<Audit> {
    return this.labReadSince<Audit>('read the audit', '/api/lab/audit', adminToken, since);
  }

  /** The admin's read of what the lab API saw since a moment (`?since=ISO`): its orders, or its audit. */
  private async labReadSince<T>(what: string, path: string, adminToken: string, since: string): Promise<T> {
    const url = `${path}?since=${encodeURIComponent(since)}`;
    return (await this.client.expect<T>(what, 'GET', url, [200], { token: adminToken })).body;
  }
}

/** GET /api/lab/audit (docs/conventions.md): the server-side truth the checker reads; both stacks list the products. */
export interface Audit extends AuditTruth {
  products: NonNullable<AuditTruth['products']>;
}

export const FINAL_STATUSES = new Set(['confirmed', 'cancelled']);

/** setTimeout as a promise that an AbortSignal cuts short (and then clears its timer). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const error = new Error('The benchmark was cancelled');
  error.name = 'AbortError';
  return error;
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError(signal);
}

/** Runs fn over items with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
