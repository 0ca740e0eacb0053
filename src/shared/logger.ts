import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';

export type { Logger };

/** The one logger of the process: JSON lines on stdout. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'register-vhp' }, timestamp: pino.stdTimeFunctions.isoTime });
}

const requestLogger = new AsyncLocalStorage<Logger>();

/** Runs `next` with `logger` (a request's child logger carrying its request id) as the current logger. */
export function withRequestLogger(logger: Logger, next: () => void): void {
  requestLogger.run(logger, next);
}

/** The current request's logger when called while serving a request, else `fallback`. */
export function currentLogger(fallback: Logger): Logger {
  return requestLogger.getStore() ?? fallback;
}
