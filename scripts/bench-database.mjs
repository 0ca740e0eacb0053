// A fresh database for a benchmark: on BENCH_DATABASE_URL's server, or on an embedded PostgreSQL in a
// temporary folder. A benchmark migrates and seeds on its own connection, so it works as the owner.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';

const require = createRequire(import.meta.url);

/** Answers `{ url, folder, drop }`: the database's URL, a temporary folder for the run, and how to remove both. */
export async function benchDatabase(dist, logger, name) {
  const { startEmbeddedPostgres } = require(path.join(dist, 'database', 'embedded.js'));
  const folder = mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  // As root the embedded server runs as the postgres user, which must be able to reach its folder.
  chmodSync(folder, 0o755);
  const serverUrl = process.env.BENCH_DATABASE_URL;
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres({
      directory: path.join(folder, 'postgres'),
      logger,
      persistent: false,
    });
    return {
      url: embedded.ownerUrl,
      folder,
      drop: async () => {
        await embedded.stop();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  }
  const dbName = `${name.replace(/[^a-z0-9_]/g, '_')}_${process.pid}`;
  const admin = async (sql) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${dbName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  return {
    url: url.toString(),
    folder,
    drop: async () => {
      await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
