// LESSON: Events and routing keys (LESSONS.md#events-and-routing-keys)
/**
 * The integration events of the microservices, typed once: publisher and consumer import the same types, so the
 * compiler catches drift between them. Routing keys follow <service>.<entity>.<event>, past tense.
 *
 * The saga (orchestration: order-service keeps the order's state and publishes each next request):
 *   checkout ─▶ order.order.created ─▶ product-service reserves stock (one atomic UPDATE per line, no lock held
 *   across a remote call) ─▶ product.stock.reserved | product.stock.rejected
 *   order-service on reserved ─▶ order.payment.requested ─▶ payment-service ─▶ payment.payment.processed | .declined
 *   order-service on processed ─▶ order.order.paid ─▶ email-service ─▶ email.email.sent ─▶ order-service: confirmed,
 *   then order.order.confirmed
 *   Compensation: on declined, order-service cancels and publishes order.order.cancelled with stock_reserved=true,
 *   and product-service puts the stock back. On rejected, the order is cancelled (nothing was reserved).
 *   Checkout takes the buyer's cart into a hold (cart-service, over HTTP); order.order.created, which names the hold,
 *   settles it.
 */

export interface EventEnvelope<TType extends string = string, TPayload = unknown> {
  /** Unique per event; consumers store it to process each event once (idempotency). */
  id: string;
  /** The routing key, e.g. "order.order.created". */
  type: TType;
  version: number;
  occurred_at: string;
  /** The x-request-id of the HTTP request that started the chain, carried through every hop. */
  correlation_id: string;
  /** The id of the event (or request) that caused this one. */
  causation_id: string | null;
  payload: TPayload;
}

export interface OrderLine {
  product_id: number;
  quantity: number;
  unit_price: string;
}

/** How long a consumer's own work took, so order-service can record it as a step of the order. */
export interface StepTiming {
  service: string;
  name: string;
  started_at: string;
  duration_ms: number;
}

export interface EventPayloads {
  'order.order.created': {
    order_id: number;
    user_id: number;
    user_email: string;
    items: OrderLine[];
    total: string;
    /** The hold checkout took the cart into; cart-service settles it. */
    cart_hold_id: string;
  };
  'product.stock.reserved': { order_id: number; items: { product_id: number; quantity: number }[]; timing: StepTiming };
  'product.stock.rejected': {
    order_id: number;
    reason: 'out_of_stock' | 'unknown_product';
    product_id: number | null;
    timing: StepTiming;
  };
  'order.payment.requested': { order_id: number; user_id: number; amount: string };
  'payment.payment.processed': { order_id: number; payment_id: number; amount: string; timing: StepTiming };
  'payment.payment.declined': {
    order_id: number;
    payment_id: number;
    amount: string;
    reason: string;
    timing: StepTiming;
  };
  'order.order.paid': { order_id: number; user_id: number; user_email: string; total: string; items: OrderLine[] };
  'email.email.sent': { order_id: number; notification_id: number; sent_at: string; timing: StepTiming };
  'order.order.confirmed': { order_id: number; user_id: number };
  'order.order.cancelled': {
    order_id: number;
    user_id: number;
    reason: 'out_of_stock' | 'payment_declined' | string;
    items: { product_id: number; quantity: number }[];
    /** True when product-service had reserved the stock, which must now be released (compensation). */
    stock_reserved: boolean;
  };
}

export type EventType = keyof EventPayloads;
export type LabEvent<T extends EventType = EventType> = EventEnvelope<T, EventPayloads[T]>;

export const EVENT_TYPES = [
  'order.order.created',
  'product.stock.reserved',
  'product.stock.rejected',
  'order.payment.requested',
  'payment.payment.processed',
  'payment.payment.declined',
  'order.order.paid',
  'email.email.sent',
  'order.order.confirmed',
  'order.order.cancelled',
] as const satisfies readonly EventType[];

export const EVENT_VERSION = 1;
