import 'reflect-metadata';
import path from 'node:path';
import { defaults, Pool, type PoolConfig } from 'pg';
import { DataSource, type DataSourceOptions as TypeOrmDataSourceOptions } from 'typeorm';
import {
  type DatabaseLimits,
  DEFAULT_LIMITS,
  rememberLimits,
  sessionOptions,
  SILENCE_MARGIN_MS,
  WatchedClient,
  type WatchedClientConfig,
} from './limits';

/** Compiled migrations live next to the compiled sources: dist/migrations. */
const MIGRATIONS = path.join(__dirname, '..', '..', 'migrations', '*.js');

export interface DataSourceOptions {
  url: string;
  /** The entity classes, handed in by the composition (src/entities.ts): database/ knows no domain. */
  entities: NonNullable<TypeOrmDataSourceOptions['entities']>;
  poolSize?: number;
  applicationName?: string;
  /** How long the database may take (limits.ts); the settings' starting values when left out. */
  limits?: DatabaseLimits;
}

/** How long /readyz gives the database, from asking for a connection to the last answer. */
export const READINESS_DEADLINE_MS = 800;

/** The pg pool under each DataSource made here, once it is initialised. */
const pools = new WeakMap<DataSource, () => Pool | undefined>();
/** The one-connection pool of each DataSource's readiness check, made on first use. */
const readinessPools = new WeakMap<DataSource, () => Pool | undefined>();

/** The register's DataSource. The schema comes only from migrations; `synchronize` stays off. */
export function createDataSource({
  url,
  entities,
  poolSize = 10,
  applicationName = 'register-vhp',
  limits = DEFAULT_LIMITS,
}: DataSourceOptions): DataSource {
  let pool: Pool | undefined;
  let probe: Pool | undefined;
  const keep = (made: Pool) => {
    pool = made;
  };
  // TypeORM makes its pool with the Pool class of the driver module it is given: this one keeps
  // hold of it, so that the session store, the rate limiters, prepared statements and cursors use
  // the same pool (one connection limit, one outage behaviour) without reaching into TypeORM.
  // Its clients are watched (limits.ts): a server that stops answering fails a query, not hangs it.
  class RegisterPool extends Pool {
    constructor(config?: PoolConfig) {
      super({ ...config, Client: WatchedClient });
      keep(this);
      // Long work raised its connection's watch (allowLongWork): the next user gets the usual one.
      this.on('release', (_error: Error | undefined, client: unknown) => {
        if (client instanceof WatchedClient) client.silenceLimitMs = client.defaultSilenceLimitMs;
      });
    }

    /** Readiness's own connection (at most one), so that /readyz never waits behind the pool. */
    readiness(): Pool {
      if (probe) return probe;
      probe = new Pool({
        ...this.options,
        max: 1,
        connectionTimeoutMillis: READINESS_DEADLINE_MS,
        idleTimeoutMillis: 60_000,
        application_name: `${applicationName}-readiness`,
        options: sessionOptions(READINESS_DEADLINE_MS, READINESS_DEADLINE_MS),
        silenceLimitMs: READINESS_DEADLINE_MS,
      } as PoolConfig);
      // An idle connection that breaks is dropped by the pool; the next check makes a new one.
      // Listened to once, when made: every check calls readiness() (a listener each would pile up).
      probe.on('error', () => undefined);
      return probe;
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's overloads (promise or callback)
    override end(...args: any[]): any {
      const closing = probe;
      probe = undefined;
      void closing?.end().catch(() => undefined);
      return (Pool.prototype.end as (...a: unknown[]) => unknown).apply(this, args);
    }
  }
  const dataSource = new DataSource({
    type: 'postgres',
    driver: { Pool: RegisterPool, defaults },
    url,
    entities,
    migrations: [MIGRATIONS],
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    applicationName,
    poolSize,
    connectTimeoutMS: limits.poolWaitSeconds * 1000,
    extra: {
      // PostgreSQL ends a statement, and a transaction left idle, at these limits; long work
      // raises them for its own transaction (allowLongWork in limits.ts).
      options: sessionOptions(limits.statementSeconds * 1000, limits.idleInTransactionSeconds * 1000),
      // A request waits this long for a connection, free or new: then 503, never a hang.
      connectionTimeoutMillis: limits.poolWaitSeconds * 1000,
      idleTimeoutMillis: 10000,
      silenceLimitMs: limits.statementSeconds * 1000 + SILENCE_MARGIN_MS,
    } satisfies Partial<WatchedClientConfig & PoolConfig>,
  });
  pools.set(dataSource, () => pool);
  readinessPools.set(dataSource, () => (pool as RegisterPool | undefined)?.readiness());
  rememberLimits(dataSource, limits);
  return dataSource;
}

/**
 * The pg pool of a DataSource made by createDataSource, for what TypeORM's query API cannot do
 * (named prepared statements, cursors) and for the libraries that take a pg pool.
 */
export function databasePool(dataSource: DataSource): Pool {
  const pool = pools.get(dataSource)?.();
  if (!pool)
    throw new Error('databasePool: the DataSource was not made by createDataSource, or is not initialised');
  return pool;
}

/** True when every migration this build knows of has been applied (read-only, unlike showMigrations). */
async function migrationsApplied(
  dataSource: DataSource,
  query: (sql: string) => Promise<Record<string, unknown>[]>,
): Promise<boolean> {
  const [table] = await query(`SELECT to_regclass('migrations') IS NOT NULL AS exists`);
  if (!table?.exists) return dataSource.migrations.length === 0;
  const applied = new Set((await query('SELECT name FROM migrations')).map((r) => r.name));
  return dataSource.migrations.every((m) => m.name !== undefined && applied.has(m.name));
}

export type Readiness = 'ready' | 'migrations_pending' | 'database_unavailable';

/**
 * Whether the database answers and every migration is applied, within READINESS_DEADLINE_MS
 * whatever the database does: on a connection of its own (a busy pool is no outage), with its own
 * short limits, and an answer at the deadline even when the database has not given one.
 */
export async function checkReadiness(dataSource: DataSource): Promise<Readiness> {
  const probe = readinessPools.get(dataSource)?.();
  if (!probe) return 'database_unavailable';
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Readiness>((resolve) => {
    timer = setTimeout(() => resolve('database_unavailable'), READINESS_DEADLINE_MS);
  });
  const check = (async (): Promise<Readiness> => {
    const client = await probe.connect();
    let failed: Error | undefined;
    try {
      const query = async (sql: string) => (await client.query<Record<string, unknown>>(sql)).rows;
      return (await migrationsApplied(dataSource, query)) ? 'ready' : 'migrations_pending';
    } catch (error) {
      failed = error as Error;
      throw error;
    } finally {
      // A connection that failed (or is still busy past the deadline) is not used again.
      client.release(failed);
    }
  })().catch((): Readiness => 'database_unavailable');
  try {
    return await Promise.race([check, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
