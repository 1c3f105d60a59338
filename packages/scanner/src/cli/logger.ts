import { pino, type Logger as PinoLogger } from 'pino';

/** Logs go to stderr only: stdout is reserved for the table or the one JSON document. */
export function createCliLogger(level: string): PinoLogger {
  return pino({ level, base: undefined }, pino.destination({ dest: 2, sync: true }));
}
