import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { runMigrations } from '../../src/database/connect';
import { createRegisterDataSource } from '../../src/entities';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/database/embedded';
import { createLogger } from '../../src/shared/logger';
import { must } from '../../src/shared/must';
import { type LogSigner, logSigner } from '../../src/transparency/checkpoint.service';
import { loadLogKey } from '../../src/transparency/log-key';
import { testConfig } from './app';
import { removeOutsideFolder, signerStateFileOf } from './outside';

/**
 * Every test run gets fresh databases on TEST_DATABASE_URL's server, or on an embedded
 * PostgreSQL in a temporary folder when it is unset. As in production, two roles of the run's own
 * work on them: an owner, which builds one template database with the real migrations and owns
 * every copy of it, and a runtime role with only the rights the migration runner grants it, which
 * is what the app and the tests connect as. Each test file that wants isolation gets a copy of the
 * template (CREATE DATABASE … TEMPLATE).
 */
const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
const templateName = `vhp_test_${runId}_template`;
const ownerRole = `vhp_test_${runId}_owner`;
const runtimeRole = `vhp_test_${runId}_app`;
const passwords = {
  owner: randomBytes(18).toString('base64url'),
  runtime: randomBytes(18).toString('base64url'),
};
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

/** The server's superuser: creates and drops the roles and databases, nothing else. */
let serverUrl: string | undefined;

let embedded: EmbeddedDatabase | undefined;
let counter = 0;
const created: string[] = [];
let rolesCreated = false;

export interface TestDatabase {
  name: string;
  /** The runtime role's URL: what the app connects as. */
  url: string;
  /** The owner's URL, for tests that play an insider or change the schema. */
  ownerUrl: string;
  /** The app's connection, as the runtime role. */
  dataSource: DataSource;
  /** The checkpoint signer's state file of this database (in a temporary folder of its own). */
  signerStateFile: string;
  /** Runs `sql` as the owner of the database (an insider with schema rights, not a superuser). */
  asOwner<T = unknown>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string, login?: { user: string; password: string }): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  if (login) {
    parsed.username = encodeURIComponent(login.user);
    parsed.password = encodeURIComponent(login.password);
  }
  return parsed.toString();
}

const asOwnerOf = (database: string) =>
  withDatabase(serverUrl!, database, { user: ownerRole, password: passwords.owner });
const asRuntimeOf = (database: string) =>
  withDatabase(serverUrl!, database, { user: runtimeRole, password: passwords.runtime });

async function connected<T>(url: string | undefined, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const admin = <T>(work: (client: Client) => Promise<T>) => connected(serverUrl, work);

export function usingEmbeddedServer(): boolean {
  return embedded !== undefined;
}

/** The roles of this run: the owner of the databases and the runtime role the app connects as. */
export const testRoles = { owner: ownerRole, runtime: runtimeRole };

/**
 * Starts (or connects to) the server, creates the run's two roles and builds the template
 * database as the owner with the migrations, which grant the runtime role its rights.
 */
export async function startTestServer(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    serverUrl = process.env.TEST_DATABASE_URL;
  } else {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'vhp-test-'));
    // As root the server runs as the postgres user, which must be able to reach its folder.
    chmodSync(parent, 0o755);
    const directory = path.join(parent, 'postgres');
    embedded = await startEmbeddedPostgres({ directory, logger, persistent: false });
    serverUrl = embedded.superuserUrl;
  }
  await admin(async (c) => {
    await c.query(`CREATE ROLE ${ownerRole} LOGIN NOSUPERUSER PASSWORD ${c.escapeLiteral(passwords.owner)}`);
    await c.query(
      `CREATE ROLE ${runtimeRole} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD ${c.escapeLiteral(passwords.runtime)}`,
    );
    rolesCreated = true;
    await c.query(`CREATE DATABASE ${templateName} OWNER ${ownerRole}`);
  });
  created.push(templateName);
  const dataSource = createRegisterDataSource({ url: asOwnerOf(templateName), poolSize: 2 });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource, logger, runtimeRole);
  } finally {
    await dataSource.destroy();
  }
  // Say once per run who the app ran as, read from its own connection.
  const [found] = await connected(asRuntimeOf(templateName), async (c) => {
    const { rows } = await c.query<{ name: string; superuser: boolean; version: string }>(
      `SELECT current_user AS name, rolsuper AS superuser, current_setting('server_version') AS version
       FROM pg_roles WHERE rolname = current_user`,
    );
    return rows;
  });
  const role = must(found, 'the current user is a role');
  process.stderr.write(
    `Test databases on PostgreSQL ${role.version}: the app connects as ${role.name} (${role.superuser ? 'SUPERUSER' : 'not a superuser, owns nothing'}), the migrations run as ${ownerRole}.\n`,
  );
}

export async function stopTestServer(): Promise<void> {
  if (serverUrl) {
    await admin(async (c) => {
      for (const name of created.reverse()) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      if (rolesCreated) {
        await c.query(`DROP ROLE IF EXISTS ${runtimeRole}`);
        await c.query(`DROP ROLE IF EXISTS ${ownerRole}`);
      }
    });
  }
  await embedded?.stop();
  removeOutsideFolder();
}

/** The server's major version, e.g. 15 or 18. */
export async function serverVersion(): Promise<number> {
  const num = await admin(async (c) =>
    Number(must((await c.query<{ v: string }>('SHOW server_version_num')).rows[0], 'SHOW gives one row').v),
  );
  return Math.floor(num / 10000);
}

const byDataSource = new WeakMap<DataSource, TestDatabase>();
/** The test databases by name: another connection to the same database (a second app instance, a proxy) finds its database. */
const byName = new Map<string, TestDatabase>();

/** The test database a connection goes to: the one it was made with, else the one its URL names. */
function databaseOf(dataSource: DataSource): TestDatabase | undefined {
  const known = byDataSource.get(dataSource);
  if (known) return known;
  const url = (dataSource.options as { url?: string }).url;
  return url ? byName.get(decodeURIComponent(new URL(url).pathname.slice(1))) : undefined;
}

/** An empty database of its own (schema from the migrations, no rows), connected as the runtime role. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  if (!serverUrl) throw new Error('the test database server has not been started (root hooks missing?)');
  const name = `vhp_test_${runId}_${++counter}`;
  const template = options.migrated === false ? 'template1' : templateName;
  await admin((c) => c.query(`CREATE DATABASE ${name} OWNER ${ownerRole} TEMPLATE ${template}`));
  created.push(name);
  const url = asRuntimeOf(name);
  const ownerUrl = asOwnerOf(name);
  const dataSource = createRegisterDataSource({ url, poolSize: 5 });
  await dataSource.initialize();
  const database: TestDatabase = {
    name,
    url,
    ownerUrl,
    dataSource,
    signerStateFile: signerStateFileOf(name),
    asOwner: <T>(sql: string, params: unknown[] = []) =>
      connected(ownerUrl, async (c) => (await c.query(sql, params)).rows as T[]),
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
  byDataSource.set(dataSource, database);
  byName.set(name, database);
  return database;
}

const signers = new WeakMap<TestDatabase, LogSigner>();

/**
 * The checkpoint signer of a test database, as a process of the register has one: the tests' log
 * key and the memory in the database's own state file, read once. Takes the database or its app
 * connection.
 */
export function testSigner(target: TestDatabase | DataSource): LogSigner {
  const signer = knownSigner(target);
  if (!signer) throw new Error('testSigner needs a database made by createTestDatabase');
  return signer;
}

/** testSigner, or undefined for a connection to a database createTestDatabase did not make. */
export function knownSigner(target: TestDatabase | DataSource): LogSigner | undefined {
  const database = 'asOwner' in target ? target : databaseOf(target);
  if (!database) return undefined;
  let signer = signers.get(database);
  if (!signer) {
    signer = logSigner(loadLogKey(testConfig), database.signerStateFile, () => undefined);
    signers.set(database, signer);
  }
  return signer;
}

let shared: Promise<TestDatabase> | undefined;

/** One database shared by the tests that create their own rows and need no isolation. */
export function sharedDatabase(): Promise<TestDatabase> {
  shared ??= createTestDatabase();
  return shared;
}

/**
 * Runs `work` as the database owner in one transaction, with the tables' own triggers off: what an
 * insider with the owner's rights could do (the app's own role cannot). USER, not ALL: the owner is
 * no superuser, and may not turn off the system triggers of a foreign key (audit_personal_data's
 * on audit_events).
 */
export async function asInsider(
  database: Pick<TestDatabase, 'ownerUrl'>,
  tables: readonly string[],
  work: (client: Client) => Promise<unknown>,
): Promise<void> {
  await connected(database.ownerUrl, async (c) => {
    await c.query('BEGIN');
    try {
      for (const table of tables) await c.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
      await work(c);
      for (const table of tables) await c.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
      await c.query('COMMIT');
    } catch (error) {
      await c.query('ROLLBACK');
      throw error;
    }
  });
}

/**
 * Changes the audit log behind its guard, as an insider with the owner's rights could; the chain
 * must still tell. Takes the test database or its app connection.
 */
export async function tamperWithAuditLog(
  target: TestDatabase | DataSource,
  sql: string,
  params: unknown[] = [],
): Promise<void> {
  const database = 'asOwner' in target ? target : databaseOf(target);
  if (!database) throw new Error('tamperWithAuditLog needs a database made by createTestDatabase');
  await asInsider(database, ['audit_events'], (c) => c.query(sql, params));
}
