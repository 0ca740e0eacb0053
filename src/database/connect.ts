import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Logger } from '../shared/logger';
import { createDataSource } from './data-source';
import { startEmbeddedPostgres } from './embedded';

export interface Database {
  dataSource: DataSource;
  /** Where the data lives, for the start-up message (password left out). */
  description: string;
  close(): Promise<void>;
}

/** Lock that keeps two instances from running migrations at the same time. */
const MIGRATION_LOCK = 7_306_117_002;

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL under the data directory when it
 * is unset, and brings the schema up to date with the migrations.
 */
export async function openDatabase(
  config: Config,
  logger: Logger,
  options: { migrate?: boolean } = {},
): Promise<Database> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({ directory: path.join(config.dataDir, 'postgres'), logger });
  const url = config.databaseUrl ?? embedded!.url;
  const dataSource = createDataSource({ url, poolSize: config.databasePoolSize });
  try {
    await dataSource.initialize();
    if (options.migrate ?? true) await runMigrations(dataSource, logger);
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw error;
  }
  const where = new URL(url);
  return {
    dataSource,
    description: embedded
      ? `embedded PostgreSQL in ${path.join(config.dataDir, 'postgres')}`
      : `${where.host}${where.pathname}`,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

/** Applies pending migrations, each in its own transaction, one instance at a time. */
export async function runMigrations(dataSource: DataSource, logger: Logger): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const migration of applied) logger.info({ migration: migration.name }, 'migration applied');
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
