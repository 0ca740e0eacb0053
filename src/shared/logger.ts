import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';

export type { Logger };

/** The one logger of the process: JSON lines on stdout (or `destination`, for tests that read them). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'register-vhp' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // A second guard behind the request serializer: whatever object carries headers, a session
    // cookie or a credential never reaches a log line.
    redact: {
      paths: [
        '*.headers.cookie',
        '*.headers["set-cookie"]',
        '*.headers.authorization',
        '*.headers["x-api-key"]',
        'headers.cookie',
        'headers["set-cookie"]',
        'headers.authorization',
        // A failed query's parameters can hold addresses, names or hashes of secrets.
        'err.parameters',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
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
