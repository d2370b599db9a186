import { crashAt, type Logger, ownFaults } from '@checkout-lab/kit';
import type { LabEvent } from '@checkout-lab/shared';

/** The fault of the fault lab that acts in this service: crash, whose point here is after_commit_before_publish. */
export const orderFaults = () => ownFaults(['crash']);
export type OrderFaults = ReturnType<typeof orderFaults>;

/**
 * The outbox relay's hook before it publishes a batch: with crash=after_commit_before_publish, a batch that holds an
 * order's order.order.created event kills the process, the accept committed (and answered 202), the event not sent.
 */
export function crashBeforePublish(faults: OrderFaults, log: Logger): (events: LabEvent[]) => void {
  return (events) => {
    if (!events.some((event) => event.type === 'order.order.created')) return;
    // LESSON: A crash in the middle of a checkout (LESSONS.md#a-crash-in-the-middle-of-a-checkout). The order and its
    // event committed together (the outbox), so the restarted relay finds the event unsent and publishes it.
    crashAt('after_commit_before_publish', faults.values, log);
  };
}
