import pino from 'pino';

/** One structured JSON line per event. LOG_LEVEL=silent quiets a process (tests, benchmarks). */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info') {
  return pino({ name, level, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime });
}
export type Logger = ReturnType<typeof createLogger>;
