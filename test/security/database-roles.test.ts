import assert from 'node:assert/strict';
import path from 'node:path';
import { verifyAuditChain } from '../../src/audit/audit.service';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { createRegisterDataSource } from '../../src/entities';
import { freePort } from '../../src/database/embedded';
import { APPEND_ONLY_TABLES, grantRuntimePrivileges, runtimeRoleProblems } from '../../src/database/roles';
import { givenProvider } from '../factories/provider.factory';
import { registrationFields } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { testRoles } from '../helpers/database';
import { ROOT, startServer } from '../helpers/processes';
import { registered } from '../helpers/session';

/**
 * The attack: with the app's own database connection, switch the triggers off (or replicate
 * around them), rewrite or delete audit events, recompute the hashes, and `audit:verify` says
 * "intact". The app's role must not be able to take the first step.
 */
describe("the app's database role", () => {
  const context = useTestApp();
  const query = (sql: string, params?: unknown[]) => context.db.dataSource.query(sql, params);

  before(async () => {
    await givenProvider(context.db.dataSource);
  });

  it('is the runtime role of the run: not a superuser, owning nothing, unable to create objects', async () => {
    const [role] = (await query(
      `SELECT current_user AS name, rolsuper AS superuser, rolcreaterole AS "createRole", rolcreatedb AS "createDb"
       FROM pg_roles WHERE rolname = current_user`,
    )) as { name: string; superuser: boolean; createRole: boolean; createDb: boolean }[];
    assert.deepEqual(role, { name: testRoles.runtime, superuser: false, createRole: false, createDb: false });
    assert.deepEqual(await runtimeRoleProblems(context.db.dataSource), []);
  });

  for (const table of APPEND_ONLY_TABLES) {
    describe(table, () => {
      // The Merkle tree's tables are keyed by their place in the tree, a cosignature by its checkpoint: not by an id.
      const key =
        (
          { merkle_leaves: 'leaf_index', merkle_nodes: 'level', log_cosignatures: 'checkpoint_id' } as Record<
            string,
            string
          >
        )[table] ?? 'id';
      for (const sql of [
        `DELETE FROM ${table}`,
        `UPDATE ${table} SET ${key} = ${key}`,
        `TRUNCATE ${table}`,
      ]) {
        it(`refuses ${sql.split(' ')[0]}`, async () => {
          await assert.rejects(query(sql), new RegExp(`permission denied for table ${table}`));
        });
      }

      it('refuses to switch its triggers off', async () => {
        for (const which of ['USER', 'ALL', `${table}_append_only`]) {
          await assert.rejects(
            query(`ALTER TABLE ${table} DISABLE TRIGGER ${which}`),
            new RegExp(`must be owner of table ${table}`),
          );
        }
      });

      it('refuses to drop it, its triggers, or grant itself more', async () => {
        await assert.rejects(query(`DROP TABLE ${table}`), /must be owner/);
        await assert.rejects(query(`DROP TRIGGER ${table}_append_only ON ${table}`), /must be owner/);
        // Without the grant option PostgreSQL only warns that nothing was granted.
        await query(`GRANT DELETE ON ${table} TO CURRENT_USER`).catch(() => undefined);
        assert.deepEqual(await query(`SELECT has_table_privilege($1, 'DELETE') AS can`, [table]), [
          { can: false },
        ]);
      });
    });
  }

  it('cannot replicate around the triggers (session_replication_role = replica)', async () => {
    await assert.rejects(
      context.db.dataSource.transaction(async (m) => {
        await m.query('SET LOCAL session_replication_role = replica');
        await m.query('DELETE FROM audit_events');
      }),
      /permission denied to set parameter "session_replication_role"/,
    );
  });

  it('cannot change the schema: no CREATE, no DROP, no ALTER, no way to become the owner', async () => {
    await assert.rejects(query('CREATE TABLE public.shadow (id int)'), /permission denied for schema public/);
    await assert.rejects(query('CREATE TABLE shadow (id int)'), /permission denied for schema public/);
    await assert.rejects(
      query(
        `CREATE FUNCTION public.allow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`,
      ),
      /permission denied for schema public/,
    );
    await assert.rejects(query('DROP FUNCTION refuse_change()'), /must be owner/);
    await assert.rejects(query('DROP TABLE providers'), /must be owner/);
    await assert.rejects(query('ALTER TABLE providers ADD COLUMN x int'), /must be owner/);
    await assert.rejects(query('TRUNCATE providers'), /permission denied for table providers/);
    await assert.rejects(query(`SET ROLE ${testRoles.owner}`), /permission denied to set role/);
    await assert.rejects(query('DELETE FROM migrations'), /permission denied for table migrations/);
  });

  it('still serves the app: a registration appends its audit events and the chain stays intact', async () => {
    const repository = context.db.dataSource.getRepository(AuditEvent);
    const before = await repository.count();
    await registered(context.app, context.db.dataSource, registrationFields());
    assert.ok((await repository.count()) > before, 'the registration is in the audit log');
    assert.equal((await verifyAuditChain(context.db.dataSource)).broken, undefined);
  });

  it('is checked at start: production refuses a DATABASE_URL that logs in as the owner', async function () {
    this.timeout(60_000);
    const server = startServer({
      NODE_ENV: 'production',
      SECRETS_KEY: '0'.repeat(64),
      DATABASE_URL: context.db.ownerUrl,
      MIGRATION_DATABASE_URL: context.db.ownerUrl,
      PUBLIC_BASE_URL: 'https://register.example',
      SESSION_SECRET: 'x'.repeat(32),
      // A real key: the start reads it before it opens the database.
      SIGNING_P12_FILE: path.join(ROOT, 'test', 'fixtures', 'signing', 'openssl3.p12'),
      SIGNING_P12_PASSPHRASE: 'geheim wachtwoord',
      LOG_SIGNING_KEY_FILE: path.join(ROOT, 'test', 'fixtures', 'log-signing', 'ed25519.pem'),
      PORT: String(await freePort()),
    });
    try {
      assert.equal(await server.exited, 1);
      assert.ok(
        server.lines.some((l) =>
          /DATABASE_URL must log in as the runtime role.*owns \(or may act as the owner of\) tables/.test(l),
        ),
        server.lines.join('\n'),
      );
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('gets its rights on a table a later migration adds, and never more on the append-only tables', async () => {
    await context.db.asOwner('CREATE TABLE later_table (id serial PRIMARY KEY, note text)');
    const owner = createRegisterDataSource({ url: context.db.ownerUrl, poolSize: 1 });
    await owner.initialize();
    try {
      const runner = owner.createQueryRunner();
      // Twice: the grants are idempotent, and a second run must not widen anything.
      await grantRuntimePrivileges(runner, testRoles.runtime);
      await grantRuntimePrivileges(runner, testRoles.runtime);
      await runner.release();
    } finally {
      await owner.destroy();
    }
    await query(`INSERT INTO later_table (note) VALUES ('x')`);
    await query(`UPDATE later_table SET note = 'y'`);
    await query(`DELETE FROM later_table`);
    await assert.rejects(query('TRUNCATE later_table'), /permission denied/);
    await assert.rejects(query('DELETE FROM audit_events'), /permission denied/);
  });
});
