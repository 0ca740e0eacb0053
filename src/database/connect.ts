import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { SettingError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { createDataSource, type DataSourceOptions } from './data-source';
import { startEmbeddedPostgres } from './embedded';
import { limitsFrom } from './limits';
import { grantRuntimePrivileges, roleOf, runtimeRoleProblems } from './roles';

export interface Database {
  /** The app's connection: the runtime role, or the owner role when opened with `as: 'owner'`. */
  dataSource: DataSource;
  /** Where the data lives, for the start-up message (password left out). */
  description: string;
  close(): Promise<void>;
}

/** Lock that keeps two instances from running migrations at the same time. */
const MIGRATION_LOCK = 7_306_117_002;

/**
 * Connects to the database, or starts the embedded PostgreSQL under the data directory when
 * DATABASE_URL is unset. The schema is brought up to date as the owner role (MIGRATION_DATABASE_URL),
 * which then grants the runtime role its rights; the app itself connects as the runtime role
 * (DATABASE_URL), which cannot change the schema or rewrite history. `as: 'owner'` keeps the owner
 * connection instead, for `db:migrate` and `db:revert`.
 */
export async function openDatabase(
  config: Config,
  logger: Logger,
  options: {
    entities: DataSourceOptions['entities'];
    migrate?: boolean;
    as?: 'owner' | 'runtime';
    /** `long`: a command, whose every statement may take the long limit; `requests`: the server. */
    work?: 'requests' | 'long';
  },
): Promise<Database> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        directory: path.join(config.dataDir, 'postgres'),
        logger,
        // A developer's register comes back by itself when its database dies.
        restart: config.env === 'development',
        // Half the time stopping may take, so that the rest of the stop still fits in it.
        stopTimeoutMs: Math.ceil(config.shutdownTimeoutMs / 2),
      });
  const runtimeUrl = config.databaseUrl ?? embedded!.url;
  const ownerUrl = config.migrationDatabaseUrl ?? embedded?.ownerUrl ?? runtimeUrl;
  const asOwner = options.as === 'owner';
  let dataSource: DataSource | undefined;
  try {
    if (options.migrate ?? true) {
      const owner = createDataSource({
        url: ownerUrl,
        entities: options.entities,
        poolSize: 2,
        applicationName: 'register-vhp-migrations',
        // A migration may rewrite a large table: the long limit, never a request's.
        limits: limitsFrom(config, 'long'),
      });
      await connect(owner, ownerSettingOf(config), ownerUrl);
      try {
        await runMigrations(owner, logger, runtimeRoleFor(ownerUrl, runtimeUrl, logger));
      } catch (error) {
        await owner.destroy();
        throw error;
      }
      if (asOwner) dataSource = owner;
      else await owner.destroy();
    }
    if (!dataSource) {
      dataSource = createDataSource({
        url: asOwner ? ownerUrl : runtimeUrl,
        entities: options.entities,
        poolSize: config.databasePoolSize,
        limits: limitsFrom(config, options.work ?? 'requests'),
      });
      await connect(
        dataSource,
        asOwner ? ownerSettingOf(config) : settingOf(config),
        asOwner ? ownerUrl : runtimeUrl,
      );
    }
    if (!asOwner) await checkRuntimeRole(dataSource, config, logger);
  } catch (error) {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw error;
  }
  const where = new URL(runtimeUrl);
  const connected = dataSource;
  return {
    dataSource: connected,
    description: embedded
      ? `embedded PostgreSQL in ${path.join(config.dataDir, 'postgres')}`
      : `${where.host}${where.pathname}`,
    close: async () => {
      if (connected.isInitialized) await connected.destroy();
      await embedded?.stop();
    },
  };
}

/** The setting that says where the database is: DATABASE_URL, or DATA_DIR for the embedded one. */
function settingOf(config: Config): string {
  return config.databaseUrl ? 'DATABASE_URL' : 'DATA_DIR';
}

/** The setting of the owner's connection: MIGRATION_DATABASE_URL when it says something of its own. */
function ownerSettingOf(config: Config): string {
  return config.migrationDatabaseUrl && config.migrationDatabaseUrl !== config.databaseUrl
    ? 'MIGRATION_DATABASE_URL'
    : settingOf(config);
}

/** Why a connection failed, in one line (a refused connection to both of localhost's addresses has no message of its own). */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const first = error instanceof AggregateError ? (error.errors[0] as unknown) : undefined;
  const code = (error as NodeJS.ErrnoException).code;
  return error.message || (first instanceof Error ? first.message : '') || code || error.name;
}

/** Opens the pool, or says in one line which setting names a database that cannot be reached. */
async function connect(dataSource: DataSource, setting: string, url: string): Promise<void> {
  try {
    await dataSource.initialize();
  } catch (error) {
    const where = new URL(url);
    throw new SettingError(
      `Cannot connect to the database that ${setting} names (${where.host}${where.pathname}): ${reasonOf(error)}`,
      { cause: error },
    );
  }
}

/**
 * The role to grant the app's rights to, or undefined when the app connects as the owner itself
 * (a developer pointing both settings at one URL): then there is nothing to grant.
 */
function runtimeRoleFor(ownerUrl: string, runtimeUrl: string, logger: Logger): string | undefined {
  const owner = roleOf(ownerUrl);
  const runtime = roleOf(runtimeUrl);
  if (runtime && runtime !== owner) return runtime;
  logger.warn(
    { role: runtime ?? owner ?? null },
    'the app connects as the role that owns the schema (DATABASE_URL and MIGRATION_DATABASE_URL log in as the same user): it can rewrite the audit log; use a separate runtime role outside development',
  );
  return undefined;
}

/** Refuses to serve production as a role that could rewrite history; warns about it elsewhere. */
async function checkRuntimeRole(dataSource: DataSource, config: Config, logger: Logger): Promise<void> {
  const problems = await runtimeRoleProblems(dataSource);
  if (problems.length === 0) return;
  if (config.env === 'production') {
    throw new Error(
      `DATABASE_URL must log in as the runtime role, which may not change the schema or history: ${problems.join('; ')}`,
    );
  }
  logger.warn({ problems }, 'the app connects with more rights than it needs');
}

/**
 * Applies pending migrations, each in its own transaction, one instance at a time, as the owner;
 * then gives `runtimeRole` (when there is one) its rights on what the migrations made.
 */
export async function runMigrations(
  dataSource: DataSource,
  logger: Logger,
  runtimeRole?: string,
): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const migration of applied) logger.info({ migration: migration.name }, 'migration applied');
    if (runtimeRole) await grantRuntimePrivileges(runner, runtimeRole);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
