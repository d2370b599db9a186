import type { Lesson } from './lesson';
import { atomicStockReservation } from './lessons/atomic-stock-reservation';
import { blackFriday } from './lessons/black-friday';
import { databasePerService } from './lessons/database-per-service';
import { eventsAndRoutingKeys } from './lessons/events-and-routing-keys';
import { aChargeOutlivesARollback } from './lessons/a-charge-outlives-a-rollback';
import { aCrashInTheMiddleOfACheckout } from './lessons/a-crash-in-the-middle-of-a-checkout';
import { aCrashOneShopDownOrOneFunction } from './lessons/a-crash-one-shop-down-or-one-function';
import { aLostAck } from './lessons/a-lost-ack';
import { aTransactionIsNotATimeout } from './lessons/a-transaction-is-not-a-timeout';
import { deadLettersAndRedrive } from './lessons/dead-letters-and-redrive';
import { feelTheWait } from './lessons/feel-the-wait';
import { idempotentConsumers } from './lessons/idempotent-consumers';
import { isItTheArchitectureOrTheTransaction } from './lessons/is-it-the-architecture-or-the-transaction';
import { oneCartOneOrder } from './lessons/one-cart-one-order';
import { switchOffCompensation } from './lessons/switch-off-compensation';
import { switchOffDeadLetters } from './lessons/switch-off-dead-letters';
import { switchOffIdempotentConsumers } from './lessons/switch-off-idempotent-consumers';
import { switchOffTheOutbox } from './lessons/switch-off-the-outbox';
import { the202AndPolling } from './lessons/the-202-and-polling';
import { theBrokerGoesAway } from './lessons/the-broker-goes-away';
import { theFaultLab } from './lessons/the-fault-lab';
import { theGateway } from './lessons/the-gateway';
import { theGatewayIsNotAWall } from './lessons/the-gateway-is-not-a-wall';
import { theOutbox } from './lessons/the-outbox';
import { theSagaAndItsCompensation } from './lessons/the-saga-and-its-compensation';
import { watchTheLock } from './lessons/watch-the-lock';
import { whatHappensWhenEmailFails } from './lessons/what-happens-when-email-fails';
import { whatTheDecompositionCosts } from './lessons/what-the-decomposition-costs';

/** Every runnable lesson, in the order of LESSONS.md (the monolith's first, then the microservices'). */
export const LESSONS: Lesson[] = [
  feelTheWait,
  watchTheLock,
  blackFriday,
  whatHappensWhenEmailFails,
  aChargeOutlivesARollback,
  aTransactionIsNotATimeout,
  oneCartOneOrder,
  isItTheArchitectureOrTheTransaction,
  theGateway,
  theGatewayIsNotAWall,
  databasePerService,
  the202AndPolling,
  eventsAndRoutingKeys,
  atomicStockReservation,
  theSagaAndItsCompensation,
  switchOffCompensation,
  theOutbox,
  switchOffTheOutbox,
  idempotentConsumers,
  switchOffIdempotentConsumers,
  deadLettersAndRedrive,
  switchOffDeadLetters,
  aLostAck,
  whatTheDecompositionCosts,
  aCrashOneShopDownOrOneFunction,
  theFaultLab,
  aCrashInTheMiddleOfACheckout,
  theBrokerGoesAway,
];
