import { LabSetupError } from './errors';
import { canConnect } from './ports';

export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

export const RABBIT_HINT =
  'start it with `rabbitmq-server -detached` (Debian: `apt-get install rabbitmq-server`), or set AMQP_URL to a running broker';

/** Throws a one-line explanation when nothing listens at the broker's host and port. */
export async function assertRabbitReachable(amqpUrl: string): Promise<void> {
  const url = new URL(amqpUrl);
  const port = Number(url.port || 5672);
  if (!(await canConnect(url.hostname, port, 2000))) {
    throw new LabSetupError(`RabbitMQ is not reachable at amqp://${url.hostname}:${port}: ${RABBIT_HINT}.`);
  }
}
