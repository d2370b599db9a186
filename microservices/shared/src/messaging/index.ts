export { Messaging, type MessagingOptions, type Handler, type ConsumeOptions } from './messaging';
export { outbox, OutboxRelay, messagingMigrations } from './outbox';
export { makeEvent, followEvent, parseEnvelope } from './events';
export { names, HEADERS, DEFAULT_RETRY_DELAYS_MS, CONSUMED_ROUTING_KEYS } from './topology';
export {
  redrive,
  peekDeadLetters,
  queueDepth,
  letterId,
  REDRIVE_HEADER,
  type DeadLetter,
  type RedriveOptions,
} from './redrive';
export { ResilientConnection } from './connection';
