import { AppError } from '@checkout-lab/kit';

/** The services behind the gateway, by the names the lab uses everywhere (stack.ts, /health, the logs). */
export type ServiceName =
  | 'user-service'
  | 'product-service'
  | 'cart-service'
  | 'order-service'
  | 'payment-service'
  | 'email-service';

export type ServiceUrls = Record<ServiceName, string>;

/**
 * The gateway's own calls to the services (health, lab fan-outs): JSON with a timeout. A service that is down, slow
 * or failing becomes a 503, 504 or 502 in the contract's error shape, naming the service.
 */
export class ServiceClient {
  constructor(
    readonly urls: ServiceUrls,
    private readonly timeoutMs: number,
  ) {}

  async call<T>(
    service: ServiceName,
    method: string,
    path: string,
    options: { body?: unknown; requestId?: string; timeoutMs?: number } = {},
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let response: Response;
    try {
      response = await fetch(`${this.urls[service]}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') {
        throw new AppError({
          status: 504,
          code: 'GATEWAY_TIMEOUT',
          message: `${service} did not answer within ${timeoutMs} ms`,
          details: { service },
        });
      }
      throw new AppError({
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: `${service} is unreachable`,
        details: { service },
      });
    }
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!response.ok) {
      // A 4xx from a service is the caller's problem and keeps its status and error; a 5xx is the gateway's 502.
      const error = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
      if (response.status < 500 && error?.code) {
        throw new AppError({
          status: response.status,
          code: error.code,
          message: error.message ?? '',
          details: error.details,
        });
      }
      throw new AppError({
        status: 502,
        code: 'BAD_GATEWAY',
        message: `${service} answered ${response.status}`,
        details: { service, status: response.status },
      });
    }
    return body as T;
  }

  /** { status, url } of one service's /health: "ok" only for a 200 whose body says ok. */
  async health(service: ServiceName, timeoutMs: number): Promise<{ status: 'ok' | 'down'; url: string }> {
    const url = this.urls[service];
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
      const body = (await response.json().catch(() => null)) as { status?: string } | null;
      return { status: response.ok && body?.status === 'ok' ? 'ok' : 'down', url };
    } catch {
      return { status: 'down', url };
    }
  }
}
