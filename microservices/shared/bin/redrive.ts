import { createLogger } from '@checkout-lab/kit';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig, names, peekDeadLetters, queueDepth, redrive } from '../src/index';

/**
 * The command line of a redrive (`npm run redrive -- <service> ...`): a process of its own, so importing the messaging
 * library never starts one. The redrive itself, LESSON and all, is src/messaging/redrive.ts.
 */
const USAGE = `usage: npm run redrive -- <service> [--list] [--id ID ...] [--limit N]

  <service>    whose dead-letter queue, e.g. payment-service (the DLQ is <RABBIT_PREFIX>.<service>.dlq)
  --list       show the DLQ's depth and its letters (id, queue, error, attempts) without moving them
  --id ID      move only the letter with this id (as --list shows it); repeat it for several
  --limit N    move at most N letters
  (none)       move every letter that waits now, each once, back to the queue it came from

A letter that fails again at once comes back to the DLQ; this call leaves it there (run it again to retry it).
Environment: AMQP_URL (default amqp://guest:guest@127.0.0.1:5672) and RABBIT_PREFIX, as the lab's.`;

/** The command line: see USAGE. */
async function main(argv: string[]): Promise<void> {
  const config = loadConfig(
    z.object({
      AMQP_URL: z.string().default('amqp://guest:guest@127.0.0.1:5672'),
      RABBIT_PREFIX: z.string().default(''),
    }),
  );
  const log = createLogger('redrive');
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    console.log(USAGE);
    return;
  }
  const dlq = names(config.RABBIT_PREFIX).dlq(parsed.service);
  if (parsed.list) {
    // A service that never consumed has no DLQ yet: that is an empty one, not an error.
    const depth = await queueDepth(config.AMQP_URL, dlq).catch((error) => {
      if ((error as { code?: number }).code === 404) return 0;
      throw error;
    });
    console.log(JSON.stringify({ dlq, depth, messages: await peekDeadLetters(config.AMQP_URL, dlq) }, null, 2));
    return;
  }
  const moved = await redrive(config.AMQP_URL, dlq, { limit: parsed.limit, ids: parsed.ids });
  log.info({ dlq, moved }, 'redrive done');
  console.log(`moved ${moved} message(s) from ${dlq} back to their queues`);
}

function parseCommandLine(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      list: { type: 'boolean', default: false },
      id: { type: 'string', multiple: true },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { help: true, service: '', list: false, ids: undefined, limit: undefined };
  if (positionals.length !== 1) throw new Error('name one service, e.g. payment-service');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
    throw new Error(`--limit takes a whole number of at least 1, not "${values.limit}"`);
  }
  return { help: false, service: positionals[0], list: values.list, ids: values.id, limit };
}

main(process.argv.slice(2)).catch((error) => {
  console.error((error as Error).message);
  process.exitCode = 1;
});
