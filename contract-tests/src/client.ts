import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { type Document, OpenAPIBackend, type Operation } from 'openapi-backend';
import { expect } from 'vitest';
import { type ApiResponse, jsonRequest, type RequestOptions, type SendRequest } from '@checkout-lab/stacks/testing';

export type { ApiResponse, RequestOptions } from '@checkout-lab/stacks/testing';

/**
 * The document a stack serves at /openapi.json, as a validator: every answer the suite receives must be one the
 * document promises (a status it lists for that operation, a body its schema accepts). openapi-backend matches the
 * request to its operation and validates the body with Ajv against the response schema of that status.
 */
export class ServedContract {
  private constructor(
    readonly document: Document,
    private readonly backend: OpenAPIBackend,
  ) {}

  /** Fetches the stack's document once and compiles its response schemas. */
  static async of(baseUrl: string): Promise<ServedContract> {
    const response = await fetch(`${baseUrl}/openapi.json`);
    if (response.status !== 200) throw new Error(`${baseUrl}/openapi.json answered ${response.status}`);
    const document = (await response.json()) as Document;
    // quick: openapi-backend's own check of a document knows OpenAPI 3.0 only; the served 3.1 documents are checked
    // by a 3.1 validator in contract/test instead. Its response validation (Ajv) handles 3.1 schemas.
    const backend = new OpenAPIBackend({ definition: structuredClone(document), quick: true });
    await backend.init();
    return new ServedContract(document, backend);
  }

  /** The problems of one answer against the document, none when it is a documented one. */
  problems(method: string, path: string, status: number, body: unknown, contentType: string | null): string[] {
    const [pathname, search = ''] = path.split('?');
    const operation: Operation | undefined = this.backend.router.matchOperation({
      method: method.toLowerCase(),
      path: pathname,
      query: search,
      headers: {},
    });
    if (!operation) return status === 404 ? [] : [`${method} ${pathname} is in no path of the document`];
    const documented = (operation.responses ?? {}) as Record<string, { content?: Record<string, unknown> }>;
    const where = `${method} ${operation.path} ${status}`;
    const answer = documented[String(status)];
    if (!answer) return [`${where}: undocumented status (the document lists ${Object.keys(documented).join(', ')})`];
    if (!answer.content) return body === null || body === '' ? [] : [`${where}: the document says no body`];
    if (!contentType?.startsWith('application/json')) return [`${where}: not JSON (${contentType})`];
    if (!operation.operationId) return [`${where}: the operation has no operationId, which a validator needs`];
    const result = this.backend.validator.validateResponse(body, operation, status);
    return (result.errors ?? []).map((error) => `${where}: body${error.instancePath} ${error.message}`);
  }
}

const contracts = new Map<string, Promise<ServedContract>>();

/** The validator of one base URL's served document, fetched once per test file. */
export function servedContract(baseUrl: string): Promise<ServedContract> {
  let contract = contracts.get(baseUrl);
  if (!contract) {
    contract = ServedContract.of(baseUrl);
    contracts.set(baseUrl, contract);
  }
  return contract;
}

/** The document itself and its UI are not operations of the contract. */
const UNCHECKED = /^\/(openapi\.json|docs)(\/|\?|$)/;

/**
 * A thin JSON client for one stack's public base URL: the only thing the contract suite knows about a stack. Every
 * answer is validated against the OpenAPI document the stack serves (ServedContract): an undocumented status or a
 * body its schema refuses fails the call.
 * With localAddress (any 127.x.y.z on Linux) its requests come from that address, so a test can be a client of
 * its own for the per-address login limit without locking out every other test on 127.0.0.1. A service's own port
 * behind the gateway serves no public document: `checkContract: false` skips the check there.
 */
export class ApiClient {
  readonly localAddress?: string;
  readonly checkContract: boolean;

  constructor(
    readonly baseUrl: string,
    options: { localAddress?: string; checkContract?: boolean } = {},
  ) {
    this.localAddress = options.localAddress;
    this.checkContract = options.checkContract ?? true;
  }

  async call(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const { localAddress } = this;
    const send: SendRequest | undefined = localAddress
      ? (url, init) => requestFrom(localAddress, url, init)
      : undefined;
    const answer = await jsonRequest(`${this.baseUrl}${path}`, method, options, send);
    if (this.checkContract && !UNCHECKED.test(path)) {
      const problems = (await servedContract(this.baseUrl)).problems(
        method,
        path,
        answer.status,
        answer.body,
        answer.headers.get('content-type'),
      );
      if (problems.length > 0)
        throw new Error(
          `The answer breaks ${this.baseUrl}/openapi.json:\n${problems.join('\n')}\n${JSON.stringify(answer.body).slice(0, 500)}`,
        );
    }
    return answer;
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

/** One request with node:http from a chosen local address (fetch cannot pick one), answered as a fetch Response. */
function requestFrom(
  localAddress: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: init.method, headers: init.headers, localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        const status = res.statusCode ?? 0;
        const bodyless = status === 204 || status === 304;
        resolve(new Response(bodyless ? null : Buffer.concat(chunks), { status, headers }));
      });
    });
    request.on('error', reject);
    request.end(init.body);
  });
}

export interface RawAnswer {
  /** 0 when the server closed without a status line. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends bytes exactly as given on a fresh TCP connection (no HTTP client would send a malformed request line) and
 * reads whatever comes back until the server closes the connection.
 */
export function rawRequest(baseUrl: string, bytes: string, timeoutMs = 15_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got: ${Buffer.concat(chunks).toString('utf8')}`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...headerLines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
        headers,
        body: rest.join('\r\n\r\n'),
      });
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', finish);
    // A server that answers before it has read everything may reset the connection: what arrived still counts.
    socket.on('error', () => {});
    socket.write(bytes);
  });
}

/** What Node's HTTP parser refuses before any route runs: each must still answer the contract's JSON error shape. */
export const NODE_REFUSALS: [what: string, bytes: string, status: number][] = [
  ['a malformed request line', 'THIS IS NOT HTTP\r\n\r\n', 400],
  ['a malformed header', 'GET /health HTTP/1.1\r\nHost: lab\r\nNo colon here\r\n\r\n', 400],
  ['a header of 100 KB', `GET /health HTTP/1.1\r\nHost: lab\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`, 431],
];

/** Sends every NODE_REFUSALS request to one server and expects its status with the contract's JSON error. */
export async function expectJsonRefusals(baseUrl: string): Promise<void> {
  for (const [what, bytes, status] of NODE_REFUSALS) {
    const answer = await rawRequest(baseUrl, bytes);
    const context = `${baseUrl}, ${what}: ${JSON.stringify(answer).slice(0, 300)}`;
    expect(answer.status, context).toBe(status);
    expect(answer.headers['content-type'], context).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body || 'null'), context).toEqual({
      error: { code: expect.any(String), message: expect.any(String), details: null },
    });
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
