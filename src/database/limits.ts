import type { EventEmitter } from 'node:events';
import { Client, type ClientConfig } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { type Config, DATABASE_LIMIT_DEFAULTS } from '../config';

/**
 * How long the database may take, in seconds: one statement, a transaction idle between statements,
 * the wait for a connection, and both of the first two for long work that says so (allowLongWork).
 */
export interface DatabaseLimits {
  statementSeconds: number;
  idleInTransactionSeconds: number;
  poolWaitSeconds: number;
  longWorkSeconds: number;
}

export const DEFAULT_LIMITS: DatabaseLimits = { ...DATABASE_LIMIT_DEFAULTS };

/**
 * The limits from the settings. `long`: for a process that only does long work (the commands and
 * the migrations), whose every statement has the long limit.
 */
export function limitsFrom(config: Config, work: 'requests' | 'long' = 'requests'): DatabaseLimits {
  const limits = {
    statementSeconds: config.databaseStatementTimeoutSeconds,
    idleInTransactionSeconds: config.databaseIdleInTransactionTimeoutSeconds,
    poolWaitSeconds: config.databasePoolWaitSeconds,
    longWorkSeconds: config.databaseLongWorkTimeoutSeconds,
  };
  return work === 'long' ? longOnly(limits) : limits;
}

/** The same limits with the long ones for every statement and transaction. */
export function longOnly(limits: DatabaseLimits): DatabaseLimits {
  return {
    ...limits,
    statementSeconds: limits.longWorkSeconds,
    idleInTransactionSeconds: limits.longWorkSeconds,
  };
}

/**
 * How long past its statement limit the server may stay silent before a connection is given up
 * as gone: PostgreSQL ends a statement at its limit and says so at once, so a server still silent
 * this much later is not answering at all (frozen, or the network between is).
 */
export const SILENCE_MARGIN_MS = 2000;

/** The connection's startup options: PostgreSQL's own limits on every session, and no JIT. */
export function sessionOptions(statementMs: number, idleInTransactionMs: number): string {
  // The register's queries are short; compiling one with JIT costs more than it saves, and a
  // far-off row estimate (trigram matches are hard to estimate) would otherwise trigger it.
  return `-c jit=off -c statement_timeout=${statementMs} -c idle_in_transaction_session_timeout=${idleInTransactionMs}`;
}

export interface WatchedClientConfig extends ClientConfig {
  /** How long the server may stay silent while a query waits for its answer (0: no watch). */
  silenceLimitMs?: number;
}

/**
 * A pg client that does not wait forever for a server that stopped answering. While a query waits
 * for its answer and nothing at all has come from the server for `silenceLimitMs` (the statement
 * limit and a margin), it closes the connection: the query fails as a lost connection ("Connection
 * terminated unexpectedly", 503), the pool drops the client, and a new one is made for the next
 * request. Cursors (pg-query-stream) are not watched: they wait for their reader, not for the server.
 */
export class WatchedClient extends Client {
  /** The limit now: long work raises it for as long as it holds the connection (allowLongWork). */
  silenceLimitMs: number;
  readonly defaultSilenceLimitMs: number;
  /** True once the watch gave up on the server and closed the connection. */
  gaveUp = false;
  private waiting = 0;
  private heardAt = 0;
  private watch: NodeJS.Timeout | undefined;

  constructor(config: WatchedClientConfig = {}) {
    super(config);
    this.silenceLimitMs = this.defaultSilenceLimitMs = config.silenceLimitMs ?? 0;
    // A lost connection fails the queries waiting on it; it must not also end the process when the
    // client is checked out by code that listens to its queries only (a cursor, readiness).
    this.on('error', () => undefined);
    // Every message from the server (a row, a notice, the end of a statement) counts as a sign of life.
    (this as unknown as { connection: EventEmitter }).connection.on('message', () => {
      this.heardAt = performance.now();
    });
  }

  // Every form pg's query takes (promise, callback, a submittable) goes through here unchanged.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same overloads as pg's Client
  override query(...args: any[]): any {
    const run = () => (Client.prototype.query as (...a: unknown[]) => unknown).apply(this, args);
    const config = args[0] as { submit?: unknown; callback?: unknown } | undefined;
    // A cursor waits for its reader; a query object with its own callback is not followed either.
    if (
      this.silenceLimitMs <= 0 ||
      typeof config?.submit === 'function' ||
      typeof config?.callback === 'function'
    )
      return run();
    this.begin();
    const last = args.length - 1;
    const callback = args[last] as unknown;
    if (typeof callback === 'function') {
      args[last] = (...answer: unknown[]) => {
        this.settle();
        (callback as (...a: unknown[]) => void)(...answer);
      };
      return run();
    }
    const result = run() as Promise<unknown>;
    result.then(
      () => this.settle(),
      () => this.settle(),
    );
    return result;
  }

  private begin(): void {
    if (this.waiting++ === 0) this.heardAt = performance.now();
    if (!this.watch) this.arm(this.silenceLimitMs);
  }

  private settle(): void {
    this.waiting = Math.max(0, this.waiting - 1);
    if (this.waiting === 0 && this.watch) {
      clearTimeout(this.watch);
      this.watch = undefined;
    }
  }

  private arm(delayMs: number): void {
    this.watch = setTimeout(() => {
      this.watch = undefined;
      if (this.waiting === 0) return;
      const silentMs = performance.now() - this.heardAt;
      if (silentMs < this.silenceLimitMs) return this.arm(this.silenceLimitMs - silentMs);
      this.gaveUp = true;
      (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    }, delayMs);
    this.watch.unref();
  }
}

const limitsOf = new WeakMap<DataSource, DatabaseLimits>();

/** Remembers the limits a DataSource was made with (createDataSource). */
export function rememberLimits(dataSource: DataSource, limits: DatabaseLimits): void {
  limitsOf.set(dataSource, limits);
}

/** The limits `dataSource` was made with. */
export function limitsOfDataSource(dataSource: DataSource): DatabaseLimits {
  return limitsOf.get(dataSource) ?? DEFAULT_LIMITS;
}

/** The pg client under a TypeORM EntityManager's connected query runner, when it is a watched one. */
function clientOf(manager: EntityManager): WatchedClient | undefined {
  const client = (manager.queryRunner as unknown as { databaseConnection?: unknown } | undefined)
    ?.databaseConnection;
  return client instanceof WatchedClient ? client : undefined;
}

/**
 * Lets the work in `manager`'s transaction take the long limit (DATABASE_LONG_WORK_TIMEOUT_SECONDS)
 * instead of a request's, for each statement and between statements: SET LOCAL, so the limits
 * end with the transaction, and the connection's watch waits as long until it goes back to the pool.
 * For migrations, bulk seeding, bulk checks and scheduled jobs; a request's own work never needs it.
 */
export async function allowLongWork(manager: EntityManager): Promise<void> {
  if (!manager.queryRunner?.isTransactionActive)
    throw new Error('allowLongWork must run inside a transaction');
  const ms = limitsOfDataSource(manager.connection).longWorkSeconds * 1000;
  await manager.query(
    `SELECT set_config('statement_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $1, true)`,
    [String(ms)],
  );
  const client = clientOf(manager);
  if (client) client.silenceLimitMs = ms + SILENCE_MARGIN_MS;
}
