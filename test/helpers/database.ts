import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { runMigrations } from '../../src/database/connect';
import { createDataSource } from '../../src/database/data-source';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/database/embedded';
import { createLogger } from '../../src/shared/logger';

/**
 * Every test run gets fresh databases on TEST_DATABASE_URL's server, or on an embedded
 * PostgreSQL in a temporary folder when it is unset. One template database is built by the real
 * migrations; each test file that wants isolation gets a copy of it (CREATE DATABASE … TEMPLATE).
 */
const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
const templateName = `vhp_test_${runId}_template`;
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

let serverUrl: string | undefined;
let embedded: EmbeddedDatabase | undefined;
let counter = 0;
const created: string[] = [];

export interface TestDatabase {
  name: string;
  url: string;
  dataSource: DataSource;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function usingEmbeddedServer(): boolean {
  return embedded !== undefined;
}

/** Starts (or connects to) the server and builds the template database with the migrations. */
export async function startTestServer(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    serverUrl = process.env.TEST_DATABASE_URL;
  } else {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'vhp-test-'));
    // As root the server runs as the postgres user, which must be able to reach its folder.
    chmodSync(parent, 0o755);
    const directory = path.join(parent, 'postgres');
    embedded = await startEmbeddedPostgres({ directory, logger, persistent: false });
    serverUrl = embedded.url;
  }
  await admin((c) => c.query(`CREATE DATABASE ${templateName}`));
  created.push(templateName);
  const dataSource = createDataSource({ url: withDatabase(serverUrl, templateName), poolSize: 2 });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource, logger);
  } finally {
    await dataSource.destroy();
  }
}

export async function stopTestServer(): Promise<void> {
  if (serverUrl) {
    await admin(async (c) => {
      for (const name of created.reverse()) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
  }
  await embedded?.stop();
}

/** The server's major version, e.g. 15 or 18. */
export async function serverVersion(): Promise<number> {
  const num = await admin(async (c) =>
    Number((await c.query<{ v: string }>('SHOW server_version_num')).rows[0].v),
  );
  return Math.floor(num / 10000);
}

/** An empty database of its own (schema from the migrations, no rows), connected. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  if (!serverUrl) throw new Error('the test database server has not been started (root hooks missing?)');
  const name = `vhp_test_${runId}_${++counter}`;
  const template = options.migrated === false ? 'template1' : templateName;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  created.push(name);
  const url = withDatabase(serverUrl, name);
  const dataSource = createDataSource({ url, poolSize: 5 });
  await dataSource.initialize();
  return {
    name,
    url,
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

let shared: Promise<TestDatabase> | undefined;

/** One database shared by the tests that create their own rows and need no isolation. */
export function sharedDatabase(): Promise<TestDatabase> {
  shared ??= createTestDatabase();
  return shared;
}

/** Changes the audit log behind its guard, as only a superuser could; the chain must still tell. */
export async function tamperWithAuditLog(
  dataSource: DataSource,
  sql: string,
  params: unknown[] = [],
): Promise<void> {
  await dataSource.transaction(async (m) => {
    await m.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await m.query(sql, params);
    await m.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
  });
}
