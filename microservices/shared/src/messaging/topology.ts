import { normalizePrefix } from '../config';

/**
 * Every name the adapter declares, derived from RABBIT_PREFIX, the service and the routing key it consumes. The one
 * rule for a consumer's queue: <prefix><service>.<routing key>, e.g. payment-service.order.payment.requested.
 */
export function names(rabbitPrefix: string) {
  const prefix = normalizePrefix(rabbitPrefix);
  return {
    exchange: `${prefix}checkout.events`,
    queue: (service: string, routingKey: string) => `${prefix}${service}.${routingKey}`,
    retryQueue: (queue: string, attempt: number) => `${queue}.retry.${attempt}`,
    dlq: (service: string) => `${prefix}${service}.dlq`,
  };
}

/**
 * The routing keys each service consumes, one queue each (names().queue(service, key)): what every
 * `src/entry-points/messaging/<event>.consumer.ts` passes to `messaging.consume`. The dashboard's internals view reads
 * the queues by these names, and the benchmarks time a killed service's queues until they are empty.
 */
export const CONSUMED_ROUTING_KEYS: Record<string, readonly string[]> = {
  'order-service': [
    'product.stock.reserved',
    'product.stock.rejected',
    'payment.payment.processed',
    'payment.payment.declined',
    'email.email.sent',
  ],
  'product-service': ['order.order.created', 'order.order.cancelled'],
  'cart-service': ['order.order.created'],
  'payment-service': ['order.payment.requested'],
  'email-service': ['order.order.paid'],
};

/** Header names the adapter writes on retried and dead-lettered messages. */
export const HEADERS = {
  retryCount: 'x-retry-count',
  originalQueue: 'x-original-queue',
  error: 'x-last-error',
  deadLetteredAt: 'x-dead-lettered-at',
} as const;

/** Backoff of each retry, in ms: its length is the number of retries before the DLQ. */
export const DEFAULT_RETRY_DELAYS_MS = [500, 2000, 8000];

/**
 * Queues earlier versions of the lab declared under a purpose instead of the routing key. Still bound to the exchange,
 * they would collect a copy of every such event with no one to read it, so each service deletes its own at start,
 * once they are empty (Messaging.retireOldQueues).
 */
export const RETIRED_QUEUES: Record<string, string[]> = {
  'cart-service': ['order-created'],
  'product-service': ['order-created', 'order-cancelled'],
};
