import crypto from 'node:crypto';
import { EVENT_TYPES, EVENT_VERSION, type EventPayloads, type EventType, type LabEvent } from '../events/contracts';

/** Builds an envelope: a fresh id, the contract's version, now, and the chain's correlation and causation ids. */
export function makeEvent<T extends EventType>(
  type: T,
  payload: EventPayloads[T],
  ids: { correlationId: string; causationId?: string | null },
): LabEvent<T> {
  return {
    id: crypto.randomUUID(),
    type,
    version: EVENT_VERSION,
    occurred_at: new Date().toISOString(),
    correlation_id: ids.correlationId,
    causation_id: ids.causationId ?? null,
    payload,
  };
}

/** The next event in a chain: same correlation id, caused by `cause`. */
export function followEvent<T extends EventType>(
  cause: { id: string; correlation_id: string },
  type: T,
  payload: EventPayloads[T],
): LabEvent<T> {
  return makeEvent(type, payload, { correlationId: cause.correlation_id, causationId: cause.id });
}

/** Checks the envelope's shape (not the payload's): what a consumer needs before it can even dedupe. */
export function parseEnvelope(content: Buffer): LabEvent | null {
  try {
    const value = JSON.parse(content.toString('utf8')) as Partial<LabEvent>;
    if (
      typeof value !== 'object' ||
      value === null ||
      typeof value.id !== 'string' ||
      typeof value.type !== 'string' ||
      !(EVENT_TYPES as readonly string[]).includes(value.type) ||
      typeof value.payload !== 'object' ||
      value.payload === null
    ) {
      return null;
    }
    return value as LabEvent;
  } catch {
    return null;
  }
}
