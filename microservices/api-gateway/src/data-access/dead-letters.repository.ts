import { AppError } from '@checkout-lab/kit';
import { type DeadLetter, names, peekDeadLetters, redrive } from '@checkout-lab/shared';
import type { ServiceName } from './service.client';

/** At most this many letters are listed per service: a listing holds each one unacked while it reads. */
export const LIST_LIMIT_PER_SERVICE = 500;

export interface DeadLettersRepository {
  /** Every service's letters, without moving them. */
  list(services: readonly ServiceName[]): Promise<{ service: ServiceName; letters: DeadLetter[] }[]>;
  /** Moves one service's letters (only `ids` when given, each once) back to their queues; how many moved. */
  redrive(service: ServiceName, ids?: readonly string[]): Promise<number>;
}

/**
 * The dead-letter queues, read and redriven by the gateway itself over AMQP rather than through each service: a DLQ
 * belongs to the broker, not to a process, so the letters of a service that is down (the usual reason to look at
 * them) can still be read and sent back. The broker code stays in microservices/shared's messaging folder.
 */
export function deadLettersRepository(options: { amqpUrl: string; rabbitPrefix: string }): DeadLettersRepository {
  const dlq = (service: ServiceName) => names(options.rabbitPrefix).dlq(service);
  return {
    async list(services) {
      return brokerCall(() =>
        Promise.all(
          services.map(async (service) => ({
            service,
            letters: await peekDeadLetters(options.amqpUrl, dlq(service), LIST_LIMIT_PER_SERVICE),
          })),
        ),
      );
    },
    redrive(service, ids) {
      return brokerCall(() => redrive(options.amqpUrl, dlq(service), ids ? { ids } : {}));
    },
  };
}

/** A broker that does not answer is a 503 in the contract's shape, as a service that does not answer is. */
async function brokerCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new AppError({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: `RabbitMQ did not answer: ${(error as Error).message}`,
      details: { service: 'rabbitmq' },
    });
  }
}
