import crypto from 'node:crypto';
import { errors, type Logger } from '@checkout-lab/kit';
import {
  type Identity,
  type LabEvent,
  makeEvent,
  type OrderLine,
  outbox,
  type Pool,
  type PoolClient,
  withTransaction,
} from '@checkout-lab/shared';
import type { Cart, CartClient } from '../data-access/cart.client';
import { type Order, orderRepository } from '../data-access/order.repository';

export interface CheckoutDeps {
  pool: Pool;
  cart: CartClient;
  log: Logger;
  /** Called after each COMMIT that wrote an order: the outbox relay publishes at once. */
  onCommitted: () => void;
  /** The reliability patterns in force (GET /api/lab/patterns): with the outbox off, acceptOrderThenPublish runs. */
  patterns: { outbox: boolean };
  /** The outbox switched off: sends committed events straight to the broker, once (OutboxRelay.publishAfterCommit). */
  publishAfterCommit: (events: LabEvent[]) => Promise<void>;
}

export interface CheckoutResult {
  order: Order;
  /** True when an earlier checkout with the same Idempotency-Key answered this one. */
  replayed: boolean;
}

export interface CheckoutRequest {
  requestId: string;
  idempotencyKey: string | null;
  /** When the request arrived: the order's created_at and the start of its accept time. */
  startedAt: { wall: Date; hr: bigint };
  forwardHeaders: Record<string, string>;
}

function toCents(amount: string): number {
  return Math.round(Number(amount) * 100);
}

function linesOf(cart: Cart): { items: OrderLine[]; total: string } {
  const items = cart.items.map((item) => ({
    product_id: item.product_id,
    quantity: item.quantity,
    unit_price: Number(item.price).toFixed(2),
  }));
  const cents = items.reduce((sum, item) => sum + toCents(item.unit_price) * item.quantity, 0);
  return { items, total: (cents / 100).toFixed(2) };
}

function assertCartHasItems(cart: Cart): void {
  if (cart.items.length === 0) throw errors.badRequest('CART_EMPTY', 'Your cart is empty');
}

/** Whole milliseconds since the request arrived, rounded down (as the monolith counts them). */
function elapsedMs(startedAt: CheckoutRequest['startedAt']): number {
  return Math.floor(Number(process.hrtime.bigint() - startedAt.hr) / 1e6);
}

type AcceptLines = { items: OrderLine[]; total: string; holdId: string };

/** The order and its items, in the open transaction: the new order's id. */
async function insertOrder(client: PoolClient, identity: Identity, input: CheckoutRequest, lines: AcceptLines) {
  const orderId = await orderRepository.insert(client, {
    userId: identity.userId,
    userEmail: identity.email,
    total: lines.total,
    idempotencyKey: input.idempotencyKey,
    correlationId: input.requestId,
    cartHoldId: lines.holdId,
    createdAt: input.startedAt.wall,
  });
  await orderRepository.insertItems(client, orderId, lines.items);
  return orderId;
}

/** The event that starts the saga: product-service reserves the stock, cart-service settles the hold. */
function orderCreated(orderId: number, identity: Identity, input: CheckoutRequest, lines: AcceptLines) {
  return makeEvent(
    'order.order.created',
    {
      order_id: orderId,
      user_id: identity.userId,
      user_email: identity.email,
      items: lines.items,
      total: lines.total,
      cart_hold_id: lines.holdId,
    },
    { correlationId: input.requestId, causationId: input.requestId },
  );
}

/**
 * The buyer's wait, as late as it can be measured before COMMIT: the order's processing_duration_ms and its first
 * step. The order comes back as the repository reads every order.
 */
function recordAccept(client: PoolClient, orderId: number, input: CheckoutRequest): Promise<Order> {
  return orderRepository.recordAccept(client, orderId, {
    name: 'accept_checkout',
    service: 'order-service',
    started_at: input.startedAt.wall.toISOString(),
    duration_ms: elapsedMs(input.startedAt),
  });
}

// LESSON: The outbox (LESSONS.md#the-outbox)
/**
 * The accept: the order, its items and the order.order.created event in one transaction, so they commit together
 * or not at all. The relay publishes the event after COMMIT; nothing is sent to the broker from here.
 * A repeated Idempotency-Key fails the first INSERT with 23505 (unique violation) and writes nothing.
 */
async function acceptOrder(pool: Pool, identity: Identity, input: CheckoutRequest, lines: AcceptLines): Promise<Order> {
  return withTransaction(pool, async (client) => {
    const orderId = await insertOrder(client, identity, input, lines);
    await outbox.add(client, orderCreated(orderId, identity, input, lines));
    return recordAccept(client, orderId, input);
  });
}

// LESSON: Switch off the outbox (LESSONS.md#switch-off-the-outbox)
/**
 * acceptOrder as it is often first written, run while
 * the outbox is switched off: the transaction writes the order and its items, no event; once COMMIT has returned,
 * the event goes straight to the broker. The buyer gets the same 202. But between the COMMIT and the publish the
 * order exists and nobody knows: when the broker is unreachable then, or the process dies there, the event is lost,
 * no stock is reserved, no payment asked, and the order stays pending for ever.
 */
async function acceptOrderThenPublish(
  deps: CheckoutDeps,
  identity: Identity,
  input: CheckoutRequest,
  lines: AcceptLines,
): Promise<Order> {
  const events: LabEvent[] = [];
  const order = await withTransaction(deps.pool, async (client) => {
    const orderId = await insertOrder(client, identity, input, lines);
    events.push(orderCreated(orderId, identity, input, lines));
    return recordAccept(client, orderId, input);
  });
  await deps.publishAfterCommit(events);
  return order;
}

// LESSON: The 202 and polling (LESSONS.md#the-202-and-polling)
/**
 * The checkout, as the monolith's checkout() but split: this does only what the buyer must wait for (the monolith's
 * steps 1, 4 and 5, timed as one hop, accept_checkout): take the cart, write the order, its items and the
 * order.order.created event in ONE local transaction, answer 202. Stock (3), payment (6, 7) and email (9, 10) happen
 * after, driven by events; the buyer polls GET /api/orders/:id.
 */
export async function checkout(
  deps: CheckoutDeps,
  identity: Identity,
  request: CheckoutRequest,
): Promise<CheckoutResult> {
  if (!request.idempotencyKey) return accept(deps, identity, request);
  // Requests carrying the same Idempotency-Key at the same moment: the first takes the cart and writes the order,
  // the others wait for it and answer with its order (or its error). A sequential repeat finds the order in the
  // database instead. (With several order-service instances, a racing repeat that lands on another one finds the
  // cart already taken and answers as above once the order is written, else CART_EMPTY.)
  const running = inFlightOf(deps.pool);
  const key = `${identity.userId}\u0000${request.idempotencyKey}`;
  const earlier = running.get(key);
  if (earlier) return { order: (await earlier).order, replayed: true };
  const attempt = accept(deps, identity, request);
  running.set(key, attempt);
  try {
    return await attempt;
  } finally {
    running.delete(key);
  }
}

/** The checkouts under way in this instance, by buyer and Idempotency-Key; one map per database pool (per instance). */
const inFlight = new WeakMap<Pool, Map<string, Promise<CheckoutResult>>>();

function inFlightOf(pool: Pool): Map<string, Promise<CheckoutResult>> {
  let running = inFlight.get(pool);
  if (!running) {
    running = new Map();
    inFlight.set(pool, running);
  }
  return running;
}

/** The order already written under this request's Idempotency-Key, as a replay; null without a key or an order. */
async function replayOf(deps: CheckoutDeps, identity: Identity, request: CheckoutRequest) {
  if (!request.idempotencyKey) return null;
  const existing = await orderRepository.findByIdempotencyKey(deps.pool, identity.userId, request.idempotencyKey);
  return existing ? { order: existing, replayed: true } : null;
}

async function accept(deps: CheckoutDeps, identity: Identity, request: CheckoutRequest): Promise<CheckoutResult> {
  const earlier = await replayOf(deps, identity, request);
  if (earlier) return earlier;
  const cart = await deps.cart.take(
    identity.userId,
    crypto.randomUUID(),
    request.idempotencyKey,
    request.forwardHeaders,
  );
  const holdId = cart.hold_id;
  if (cart.items.length === 0) {
    // The same key's first request took the cart a moment ago: answer with its order once it is written.
    const written = await replayOf(deps, identity, request);
    if (written) return written;
  }
  assertCartHasItems(cart);
  const { items, total } = linesOf(cart);
  let order: Order;
  try {
    order = deps.patterns.outbox
      ? await acceptOrder(deps.pool, identity, request, { items, total, holdId })
      : await acceptOrderThenPublish(deps, identity, request, { items, total, holdId });
  } catch (error) {
    // No order was written: the cart's lines go back to the buyer (if this fails too, cart-service's sweep puts
    // them back once it sees no order holds them).
    await deps.cart
      .release(holdId, request.forwardHeaders)
      .catch((releaseError) =>
        deps.log.warn({ err: releaseError, hold_id: holdId }, 'could not give the cart hold back; the sweep will'),
      );
    // Two requests with the same Idempotency-Key raced: the loser answers with the winner's order.
    if ((error as { code?: string }).code === '23505') {
      const winner = await replayOf(deps, identity, request);
      if (winner) return winner;
    }
    throw error;
  }
  // PERF: wake the relay now instead of waiting for its next poll (OUTBOX_POLL_MS, 200 ms by default): the event
  // leaves at once, which saves up to a poll interval on every order's completion.
  deps.onCommitted();
  return { order, replayed: false };
}
