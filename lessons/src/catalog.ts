import type { Lesson } from './lesson';
import { atomicStockReservation } from './lessons/atomic-stock-reservation';
import { blackFriday } from './lessons/black-friday';
import { aChargeOutlivesARollback } from './lessons/a-charge-outlives-a-rollback';
import { aCrashOneShopDownOrOneFunction } from './lessons/a-crash-one-shop-down-or-one-function';
import { deadLettersAndRedrive } from './lessons/dead-letters-and-redrive';
import { feelTheWait } from './lessons/feel-the-wait';
import { isItTheArchitectureOrTheTransaction } from './lessons/is-it-the-architecture-or-the-transaction';
import { the202AndPolling } from './lessons/the-202-and-polling';
import { theFaultLab } from './lessons/the-fault-lab';
import { theSagaAndItsCompensation } from './lessons/the-saga-and-its-compensation';
import { watchTheLock } from './lessons/watch-the-lock';
import { whatHappensWhenEmailFails } from './lessons/what-happens-when-email-fails';

/** Every runnable lesson, in the order of LESSONS.md (the monolith's first, then the microservices'). */
export const LESSONS: Lesson[] = [
  feelTheWait,
  watchTheLock,
  blackFriday,
  whatHappensWhenEmailFails,
  aChargeOutlivesARollback,
  isItTheArchitectureOrTheTransaction,
  the202AndPolling,
  atomicStockReservation,
  theSagaAndItsCompensation,
  deadLettersAndRedrive,
  aCrashOneShopDownOrOneFunction,
  theFaultLab,
];
