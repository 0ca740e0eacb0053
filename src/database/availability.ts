import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import type { Logger } from '../shared/logger';

/** Error codes meaning "the database is not there right now", as opposed to a broken query. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /connection timeout/i,
  /Connection is not established/i,
  /Client has encountered a connection error/i,
];

/**
 * Error codes meaning "the database is there, but the work took too long": a statement ended at
 * its limit (statement_timeout, or cancelled), a transaction left idle past its limit.
 */
const BUSY_CODES = new Set([
  '57014', // query_canceled: statement_timeout
  '25P03', // idle_in_transaction_session_timeout
]);

/** pg-pool's words when a request waited its limit for a connection of a full pool. */
const BUSY_MESSAGES = [/timeout exceeded when trying to connect/i];

/** Whether `error`, or an error inside it (TypeORM's driverError, a cause), matches. */
function anyInside(error: unknown, test: (code: unknown, message: unknown) => boolean): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (test(code, message)) return true;
    const next =
      (e as { driverError?: unknown; cause?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
    if (next === e) break;
    e = next;
  }
  return false;
}

/** True when `error` (or the driver error inside it) says the database cannot be reached. */
export function isDatabaseUnavailable(error: unknown): boolean {
  // The connection under a transaction was lost (and released) between two of its statements.
  if (
    error instanceof QueryRunnerAlreadyReleasedError ||
    error instanceof QueryRunnerProviderAlreadyReleasedError
  )
    return true;
  return anyInside(
    error,
    (code, message) =>
      (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) ||
      (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(message))),
  );
}

/**
 * True when `error` says the database is there but too busy: a statement or an idle transaction
 * reached its limit, or no connection of the pool came free in time. Load, not an outage.
 */
export function isDatabaseBusy(error: unknown): boolean {
  return anyInside(
    error,
    (code, message) =>
      (typeof code === 'string' && BUSY_CODES.has(code)) ||
      (typeof message === 'string' && BUSY_MESSAGES.some((re) => re.test(message))),
  );
}

/** True when `error` is PostgreSQL refusing a duplicate on `constraint` (a lost race on a unique rule). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const driver =
    (error as { driverError?: { code?: string; constraint?: string } })?.driverError ??
    (error as { code?: string; constraint?: string });
  return driver?.code === '23505' && (constraint === undefined || driver.constraint === constraint);
}

/**
 * Logs a failure of background work (a periodic job, the outbox): a full pool or a statement at its
 * limit as load (warn, `load: true`), the database away as unavailable (warn, `unavailable: true`):
 * the work is tried again later and nothing is wrong with it. Any other failure at `level`.
 */
export function logBackgroundFailure(
  logger: Logger,
  error: unknown,
  failure: string,
  level: 'error' | 'warn' = 'error',
): void {
  if (isDatabaseBusy(error))
    logger.warn(
      { err: error, load: true },
      `${failure} (too busy: no database connection came free in time)`,
    );
  else if (isDatabaseUnavailable(error))
    logger.warn({ err: error, unavailable: true }, `${failure} (the database is unavailable)`);
  else logger[level]({ err: error }, failure);
}
