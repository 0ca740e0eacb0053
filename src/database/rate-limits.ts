import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { databasePool } from './data-source';

export interface PostgresLimit {
  /** Names the counter in `rate_limits`; keys are stored as `<keyPrefix>:<key>`. */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  /**
   * Once a key is over its limit, this instance refuses it from memory until the window ends: a
   * flood of refused requests costs no database round trip each. Off where every attempt must be
   * counted in the table (e.g. an account's failures that other instances read).
   */
  refuseFromMemory?: boolean;
}

/**
 * A rate limiter whose counters live in PostgreSQL (the `rate_limits` table of the migrations), so
 * a limit holds across instances. Expired counters are removed by the daily jobs, not by a timer.
 */
export function postgresLimiter(
  dataSource: DataSource,
  { keyPrefix, points, durationSeconds, refuseFromMemory = true }: PostgresLimit,
): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: databasePool(dataSource),
    storeType: 'pool',
    tableName: 'rate_limits',
    tableCreated: true,
    clearExpiredByTimeout: false,
    keyPrefix,
    points,
    duration: durationSeconds,
    ...(refuseFromMemory ? { inMemoryBlockOnConsumed: points + 1 } : {}),
  });
}
