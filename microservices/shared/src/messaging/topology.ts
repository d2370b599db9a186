import { normalizePrefix } from '../config';

/** Every name the adapter declares, derived from RABBIT_PREFIX, the service and the consumer's purpose. */
export function names(rabbitPrefix: string) {
  const prefix = normalizePrefix(rabbitPrefix);
  return {
    exchange: `${prefix}checkout.events`,
    queue: (service: string, purpose: string) => `${prefix}${service}.${purpose}`,
    retryQueue: (queue: string, attempt: number) => `${queue}.retry.${attempt}`,
    dlq: (service: string) => `${prefix}${service}.dlq`,
  };
}

/** Header names the adapter writes on retried and dead-lettered messages. */
export const HEADERS = {
  retryCount: 'x-retry-count',
  originalQueue: 'x-original-queue',
  error: 'x-last-error',
  deadLetteredAt: 'x-dead-lettered-at',
} as const;

/** Backoff of each retry, in ms: its length is the number of retries before the DLQ. */
export const DEFAULT_RETRY_DELAYS_MS = [500, 2000, 8000];
