import 'reflect-metadata';
import path from 'node:path';
import { defaults, Pool, type PoolConfig } from 'pg';
import { DataSource, type DataSourceOptions as TypeOrmDataSourceOptions } from 'typeorm';

/** Compiled migrations live next to the compiled sources: dist/migrations. */
const MIGRATIONS = path.join(__dirname, '..', '..', 'migrations', '*.js');

export interface DataSourceOptions {
  url: string;
  /** The entity classes, handed in by the composition (src/entities.ts): database/ knows no domain. */
  entities: NonNullable<TypeOrmDataSourceOptions['entities']>;
  poolSize?: number;
  applicationName?: string;
}

/** The pg pool under each DataSource made here, once it is initialised. */
const pools = new WeakMap<DataSource, () => Pool | undefined>();

/** The register's DataSource. The schema comes only from migrations; `synchronize` stays off. */
export function createDataSource({
  url,
  entities,
  poolSize = 10,
  applicationName = 'register-vhp',
}: DataSourceOptions): DataSource {
  let pool: Pool | undefined;
  const keep = (made: Pool) => {
    pool = made;
  };
  // TypeORM makes its pool with the Pool class of the driver module it is given: this one keeps
  // hold of it, so that the session store, the rate limiters, prepared statements and cursors use
  // the same pool (one connection limit, one outage behaviour) without reaching into TypeORM.
  class RegisterPool extends Pool {
    constructor(config?: PoolConfig) {
      super(config);
      keep(this);
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
    connectTimeoutMS: 3000,
    extra: {
      // The register's queries are short; compiling one with JIT costs more than it saves, and a
      // far-off row estimate (trigram matches are hard to estimate) would otherwise trigger it.
      options: '-c jit=off',
      // Fail fast while the database is away, so pages answer 503 instead of hanging.
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 10000,
    },
  });
  pools.set(dataSource, () => pool);
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

/** Answers when the database answers a query; throws when it cannot be reached. */
export async function pingDatabase(dataSource: DataSource): Promise<void> {
  await dataSource.query('SELECT 1');
}

/** True when every migration this build knows of has been applied (read-only, unlike showMigrations). */
export async function migrationsUpToDate(dataSource: DataSource): Promise<boolean> {
  const [table] = await dataSource.query<{ exists: boolean }[]>(
    `SELECT to_regclass('migrations') IS NOT NULL AS exists`,
  );
  if (!table?.exists) return dataSource.migrations.length === 0;
  const rows = await dataSource.query<{ name: string }[]>('SELECT name FROM migrations');
  const applied = new Set(rows.map((r) => r.name));
  return dataSource.migrations.every((m) => m.name !== undefined && applied.has(m.name));
}
