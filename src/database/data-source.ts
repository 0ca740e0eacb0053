import 'reflect-metadata';
import path from 'node:path';
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

/** The register's DataSource. The schema comes only from migrations; `synchronize` stays off. */
export function createDataSource({
  url,
  entities,
  poolSize = 10,
  applicationName = 'register-vhp',
}: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
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
