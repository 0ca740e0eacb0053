import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { openDatabase, runMigrations } from '../../src/database/connect';
import { loadConfig } from '../../src/config';
import { ENTITIES } from '../../src/entities';
import { SettingError } from '../../src/shared/errors';
import { createRegisterDataSource } from '../../src/entities';
import { startEmbeddedPostgres } from '../../src/database/embedded';
import { Provider } from '../../src/provider/provider.entity';
import { createLogger } from '../../src/shared/logger';
import { buildProvider, givenProvider } from '../factories/provider.factory';
import { createTestDatabase, sharedDatabase, type TestDatabase } from '../helpers/database';
import { must } from '../../src/shared/must';

const logger = createLogger('silent');

describe('the database', () => {
  describe('rules it holds itself', () => {
    let db: TestDatabase;
    before(async () => {
      db = await sharedDatabase();
    });

    async function insertProvider(overrides: Record<string, unknown>) {
      return db.dataSource.getRepository(Provider).insert({ ...buildProvider(), ...overrides });
    }

    for (const kvkNumber of ['1234567', '123456789', '1234567a']) {
      it(`refuses the KvK number "${kvkNumber}"`, async () => {
        await assert.rejects(insertProvider({ kvkNumber }), /providers_kvk_number_format|value too long/);
      });
    }

    it('refuses a KvK number that is taken', async () => {
      const existing = await givenProvider(db.dataSource);
      await assert.rejects(insertProvider({ kvkNumber: existing.kvkNumber }), /providers_kvk_number_key/);
    });

    it('refuses a malformed btw-id and postcode', async () => {
      await assert.rejects(insertProvider({ vatNumber: 'NL12345678B01' }), /providers_vat_number_format/);
      await assert.rejects(insertProvider({ postcode: '0123 AB' }), /providers_postcode_format/);
    });

    it('refuses an unknown kind of status event and an approval without its listing', async () => {
      const provider = await givenProvider(db.dataSource);
      const insert = (kind: string, extra = '') =>
        db.dataSource.query(
          `INSERT INTO status_events (provider_id, kind, effective_at, actor${extra ? ', valid_until' : ''}) VALUES ($1, $2, now(), 'x'${extra})`,
          [provider.id, kind],
        );
      await assert.rejects(insert('promoted'), /status_events_kind_known/);
      await assert.rejects(insert('listing_approved'), /status_events_approval_complete/);
      await assert.rejects(insert('revoked'), /status_events_reason_required/);
    });

    it('refuses a status event for a provider that does not exist', async () => {
      await assert.rejects(
        db.dataSource.query(
          `INSERT INTO status_events (provider_id, kind, effective_at, actor) VALUES (gen_random_uuid(), 'application_submitted', now(), 'x')`,
        ),
        /foreign key/,
      );
    });
  });

  describe('migrations', () => {
    it('can be reverted and applied again by the owner, and the app works afterwards', async () => {
      const db = await createTestDatabase();
      const owner = createRegisterDataSource({ url: db.ownerUrl, poolSize: 2 });
      await owner.initialize();
      try {
        while (await owner.query(`SELECT 1 FROM migrations LIMIT 1`).then((r: unknown[]) => r.length)) {
          await owner.undoLastMigration({ transaction: 'each' });
        }
        const [counted] = await owner.query<{ count: number }[]>(
          `SELECT count(*)::int AS count FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`,
        );
        const { count } = must(counted, 'a count gives one row');
        assert.equal(count, 0, 'down() removes every table');
        await runMigrations(owner, logger, new URL(db.url).username);
        await givenProvider(db.dataSource);
      } finally {
        await owner.destroy();
        await db.drop();
      }
    });
  });

  describe('a database that cannot be reached', () => {
    const open = (env: NodeJS.ProcessEnv, options: { migrate?: boolean; as?: 'owner' | 'runtime' } = {}) =>
      openDatabase(loadConfig({ NODE_ENV: 'test', ...env }), logger, { entities: ENTITIES, ...options });
    const refusal = (pattern: RegExp) => (error: Error) =>
      error instanceof SettingError && pattern.test(error.message);

    it('is one line naming the setting that names it', async () => {
      await assert.rejects(
        open({ DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none' }),
        refusal(
          /^Cannot connect to the database that DATABASE_URL names \(127\.0\.0\.1:1\/none\): connect ECONNREFUSED 127\.0\.0\.1:1$/,
        ),
      );
      // localhost: refused on both its addresses, an error without a message of its own.
      await assert.rejects(
        open({ DATABASE_URL: 'postgres://nobody:x@localhost:1/none' }),
        refusal(
          /^Cannot connect to the database that DATABASE_URL names \(localhost:1\/none\): connect ECONNREFUSED/,
        ),
      );
    });

    it('names MIGRATION_DATABASE_URL for the owner’s connection when it is a database of its own', async () => {
      const db = await sharedDatabase();
      const env = { DATABASE_URL: db.url, MIGRATION_DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/owner' };
      await assert.rejects(open(env), refusal(/that MIGRATION_DATABASE_URL names \(127\.0\.0\.1:1\/owner\)/));
      await assert.rejects(
        open(env, { migrate: false, as: 'owner' }),
        refusal(/that MIGRATION_DATABASE_URL names/),
      );
      await assert.rejects(
        open(
          { DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/app', MIGRATION_DATABASE_URL: db.ownerUrl },
          { migrate: false },
        ),
        refusal(/that DATABASE_URL names \(127\.0\.0\.1:1\/app\)/),
      );
    });
  });

  describe('embedded PostgreSQL', () => {
    it('keeps its data when stopped and started again, and hands what the superuser made to the owner', async function () {
      this.timeout(90_000);
      const parent = mkdtempSync(path.join(os.tmpdir(), 'vhp-embedded-'));
      chmodSync(parent, 0o755);
      const directory = path.join(parent, 'postgres');
      const run = async (url: string, sql: string) => {
        const client = new Client({ connectionString: url });
        await client.connect();
        try {
          return (await client.query(sql)).rows as Record<string, unknown>[];
        } finally {
          await client.end();
        }
      };
      try {
        const first = await startEmbeddedPostgres({ directory, logger });
        await run(first.ownerUrl, `CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')`);
        // A data folder from before there were two roles: the app ran as the bootstrap superuser.
        await run(first.superuserUrl, `CREATE TABLE legacy (id serial PRIMARY KEY)`);
        await first.stop();

        const second = await startEmbeddedPostgres({ directory, logger });
        try {
          assert.deepEqual(await run(second.ownerUrl, 'SELECT value FROM kept'), [{ value: 'still here' }]);
          assert.deepEqual(
            await run(
              second.url,
              `SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
            ),
            [
              { tablename: 'kept', tableowner: 'register_owner' },
              { tablename: 'legacy', tableowner: 'register_owner' },
            ],
          );
          assert.deepEqual(
            await run(
              second.url,
              `SELECT current_user AS name, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`,
            ),
            [{ name: 'register_app', superuser: false }],
          );
        } finally {
          await second.stop();
        }
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    });
  });
});
