import { AppError } from '@checkout-lab/kit';
import { type CallFailed, type InternalAuth, type JsonAnswer, type JsonClient, jsonClient } from '@checkout-lab/shared';

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
 * The gateway's own calls to the services (health, lab fan-outs): JSON with a timeout, on the services' shared
 * jsonClient. A service that is down, slow or failing becomes a 503, 504 or 502 in the contract's error shape, naming
 * the service. Every call carries the gateway's internal token: the services answer nothing on /internal/* without it.
 */
export class ServiceClient {
  private readonly clients: Record<ServiceName, JsonClient>;

  constructor(
    readonly urls: ServiceUrls,
    private readonly timeoutMs: number,
    auth: InternalAuth,
  ) {
    this.clients = Object.fromEntries(
      Object.entries(urls).map(([name, url]) => [name, jsonClient(url, { timeoutMs, maxSockets: 16, auth })]),
    ) as Record<ServiceName, JsonClient>;
  }

  async call<T>(
    service: ServiceName,
    method: string,
    path: string,
    options: { body?: unknown; requestId?: string; timeoutMs?: number } = {},
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let answer: JsonAnswer;
    try {
      answer = await this.clients[service].request(method, path, {
        headers: options.requestId ? { 'x-request-id': options.requestId } : {},
        body: options.body,
        timeoutMs,
      });
    } catch (error) {
      if ((error as CallFailed).reason === 'timeout') {
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
    if (!answer.ok) {
      // A 4xx from a service is the caller's problem and keeps its status and error; a 5xx is the gateway's 502.
      const error = (answer.body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
      if (answer.status < 500 && error?.code) {
        throw new AppError({
          status: answer.status,
          code: error.code,
          message: error.message ?? '',
          details: error.details,
        });
      }
      throw new AppError({
        status: 502,
        code: 'BAD_GATEWAY',
        message: `${service} answered ${answer.status}`,
        details: { service, status: answer.status },
      });
    }
    return answer.body as T;
  }

  /** { status, url } of one service's /health: "ok" only for a 200 whose body says ok. */
  async health(service: ServiceName, timeoutMs: number): Promise<{ status: 'ok' | 'down'; url: string }> {
    const url = this.urls[service];
    try {
      const answer = await this.clients[service].get<{ status?: string }>('/health', { timeoutMs });
      return { status: answer.ok && answer.body?.status === 'ok' ? 'ok' : 'down', url };
    } catch {
      return { status: 'down', url };
    }
  }
}
