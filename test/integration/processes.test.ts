import assert from 'node:assert/strict';
import { freePort } from '../../src/database/embedded';
import { createTestDatabase, tamperWithAuditLog, type TestDatabase } from '../helpers/database';
import { runCli, startServer } from '../helpers/processes';
import { must } from '../../src/shared/must';
import { z } from 'zod';

/** The field of a JSON log line these tests read. */
const logLine = z.object({ reqId: z.unknown() });

describe('npm run cli', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  it('seed:demo loads the demo providers once, and says so the second time', () => {
    const first = runCli(['seed:demo'], { DATABASE_URL: db.url, MIGRATION_DATABASE_URL: db.ownerUrl });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /Loaded 14 demo providers\./);
    const second = runCli(['seed:demo'], { DATABASE_URL: db.url, MIGRATION_DATABASE_URL: db.ownerUrl });
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /already there/);
  });

  it('jobs:daily runs the daily work now: after seed:demo it finds no ending left to record (the demo played its nights), nor does a second run', () => {
    const first = runCli(['jobs:daily'], { DATABASE_URL: db.url, MIGRATION_DATABASE_URL: db.ownerUrl });
    assert.equal(first.status, 0, first.stderr);
    assert.match(
      first.stdout,
      /Daily work done: 0 expiries and 0 lapses recorded, \d+ reminders? queued, \d+ expired rate-limit counters? and \d+ expired pending registrations? removed\./,
    );
    const second = runCli(['jobs:daily'], { DATABASE_URL: db.url, MIGRATION_DATABASE_URL: db.ownerUrl });
    assert.equal(second.status, 0, second.stderr);
    assert.match(
      second.stdout,
      /Daily work done: 0 expiries and 0 lapses recorded, 0 reminders queued, 0 expired rate-limit counters and 0 expired pending registrations removed\./,
    );
    assert.match(second.stdout, /already done this week/);
  });

  it('audit:verify checks the whole log the first time, then only what came after, and says what it did not re-check', () => {
    const env = { DATABASE_URL: db.url, MIGRATION_DATABASE_URL: db.ownerUrl };
    const first = runCli(['audit:verify'], env);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /No earlier verification to continue from: checked the whole log\./);
    assert.match(first.stdout, /Audit log intact: [\d,]+ events checked \(the whole log\) in \d+\.\d s\./);
    const head = must(
      /Head: event (\d+), hash [0-9a-f]{64} \([\d,]+ events up to it\)\./.exec(first.stdout)?.[1],
      'a head',
    );
    const again = runCli(['audit:verify'], env);
    assert.equal(again.status, 0, again.stderr);
    assert.match(
      again.stdout,
      new RegExp(
        `Audit log intact from event ${head} on: 1 event checked in \\d+\\.\\d s, continuing from the verification of \\S+ by cli:audit:verify\\.`,
      ),
    );
    assert.match(
      again.stdout,
      /Not re-checked: the content of the [\d,]+ events before event \d+;.*audit:verify --full re-checks every event\./,
    );
  });

  it('audit:verify --full names the first broken event and exits 1 after a row was changed, which the incremental run does not re-check', async () => {
    const env = { DATABASE_URL: db.url, MIGRATION_DATABASE_URL: db.ownerUrl };
    const [original] = await db.dataSource.query<{ actor: string }[]>(
      'SELECT actor FROM audit_events WHERE id = (SELECT min(id) + 4 FROM audit_events)',
    );
    await tamperWithAuditLog(
      db,
      "UPDATE audit_events SET actor = 'vervalst' WHERE id = (SELECT min(id) + 4 FROM audit_events)",
    );
    const [fifth] = await db.dataSource.query<{ id: string }[]>(
      'SELECT (min(id) + 4)::text AS id FROM audit_events',
    );
    const { id } = must(fifth, 'an aggregate gives one row');
    const incremental = runCli(['audit:verify'], env);
    assert.equal(incremental.status, 0, incremental.stderr);
    assert.match(incremental.stdout, /Not re-checked/);
    const result = runCli(['audit:verify', '--full'], env);
    assert.equal(result.status, 1);
    assert.match(
      result.stdout,
      new RegExp(
        `Audit log BROKEN at event ${id} \\(its content was changed\\); ${id} events checked; the events after event ${id} were not checked\\.`,
      ),
    );
    // The break is remembered: the incremental run no longer says intact, until a full run does.
    const later = runCli(['audit:verify'], env);
    assert.equal(later.status, 1);
    assert.match(
      later.stdout,
      new RegExp(
        `Audit log BROKEN at event ${id} \\(its content was changed\\): found by the full verification of \\S+ by cli:audit:verify`,
      ),
    );
    assert.match(later.stdout, /Run audit:verify --full/);
    await tamperWithAuditLog(db, 'UPDATE audit_events SET actor = $2 WHERE id = $1', [id, original?.actor]);
    assert.equal(runCli(['audit:verify', '--full'], env).status, 0);
    assert.equal(runCli(['audit:verify'], env).status, 0);
  });

  it('audit:verify names the verified event that is gone after the log was cut short, and exits 1', async () => {
    const env = { DATABASE_URL: db.url, MIGRATION_DATABASE_URL: db.ownerUrl };
    const [last] = await db.dataSource.query<{ id: string }[]>(
      'SELECT head_event_id::text AS id FROM audit_verifications WHERE problem IS NULL ORDER BY id DESC LIMIT 1',
    );
    const { id } = must(last, 'audit:verify recorded its runs');
    await tamperWithAuditLog(db, 'DELETE FROM audit_events WHERE id >= $1', [id]);
    const result = runCli(['audit:verify'], env);
    assert.equal(result.status, 1);
    assert.match(
      result.stdout,
      new RegExp(
        `Audit log BROKEN at event ${id} \\(vouched for by the verification of \\S+ by cli:audit:verify\\) \\(it is gone: the log was cut short or the event removed\\); 0 events checked\\.`,
      ),
    );
  });

  it('audit:verify refuses an unknown option with exit code 2', () => {
    const result = runCli(['audit:verify', '--fast'], {
      DATABASE_URL: db.url,
      MIGRATION_DATABASE_URL: db.ownerUrl,
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /Give audit:verify \[--full\]\./);
  });

  it('user:create makes a staff account, prints a generated password, and refuses a taken address', () => {
    const created = runCli(
      ['user:create', '--email', 'Nieuwe.Beoordelaar@Test.example', '--role', 'reviewer'],
      { DATABASE_URL: db.url, MIGRATION_DATABASE_URL: db.ownerUrl },
    );
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /Created reviewer nieuwe\.beoordelaar@test\.example\./);
    assert.match(created.stdout, /Password: \S{16,}/);
    const again = runCli(
      [
        'user:create',
        '--email',
        'nieuwe.beoordelaar@test.example',
        '--role',
        'reviewer',
        '--password',
        'een ander lang wachtwoord',
      ],
      { DATABASE_URL: db.url, MIGRATION_DATABASE_URL: db.ownerUrl },
    );
    assert.equal(again.status, 2);
    assert.match(again.stderr, /there already is an account/);
    const weak = runCli(
      ['user:create', '--email', 'zwak@test.example', '--role', 'admin', '--password', 'password1234'],
      { DATABASE_URL: db.url, MIGRATION_DATABASE_URL: db.ownerUrl },
    );
    assert.equal(weak.status, 2);
    assert.match(weak.stderr, /too common/);
    const noProvider = runCli(['user:create', '--email', 'p@test.example', '--role', 'provider'], {
      DATABASE_URL: db.url,
      MIGRATION_DATABASE_URL: db.ownerUrl,
    });
    assert.equal(noProvider.status, 2);
  });

  it('user:create makes a buyer in the buyer organisation of the address domain', async () => {
    const created = runCli(['user:create', '--email', 'Inkoper@MinFin.nl', '--role', 'buyer'], {
      DATABASE_URL: db.url,
      MIGRATION_DATABASE_URL: db.ownerUrl,
    });
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /Created buyer inkoper@minfin\.nl\./);
    const rows = await db.dataSource.query<{ role: string; domain: string }[]>(
      `SELECT u.role, o.domain FROM users u JOIN buyer_organisations o ON o.id = u.buyer_organisation_id
        WHERE u.email = 'inkoper@minfin.nl'`,
    );
    assert.deepEqual(rows, [{ role: 'buyer', domain: 'minfin.nl' }]);
  });

  it('prints its commands and exits 2 for an unknown command', () => {
    const result = runCli(['nonsense'], { DATABASE_URL: db.url, MIGRATION_DATABASE_URL: db.ownerUrl });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /Unknown command: nonsense/);
    assert.match(result.stderr, /audit:verify/);
  });
});

describe('the server process', () => {
  it('starts on an empty database, loads the demo data, logs JSON lines with request ids, and stops cleanly on SIGTERM', async function () {
    this.timeout(60_000);
    const db = await createTestDatabase();
    const port = await freePort();
    const server = startServer({
      DATABASE_URL: db.url,
      MIGRATION_DATABASE_URL: db.ownerUrl,
      PORT: String(port),
      SEED_DEMO_DATA: 'true',
    });
    try {
      await server.waitFor(/is ready at/);
      assert.ok(server.lines.some((l) => /demo data loaded/.test(l)));
      const res = await fetch(`http://127.0.0.1:${port}/hostingproviders`, {
        headers: { 'X-Request-Id': 'test-request-42' },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-request-id'), 'test-request-42');
      await server.waitFor(/test-request-42/);

      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
      for (const line of server.lines.filter((l) => l.trim())) {
        assert.doesNotThrow(() => JSON.parse(line), `not a JSON log line: ${line}`);
      }
      const requestLines = server.lines.filter((l) => l.includes('"url":"/hostingproviders"'));
      assert.ok(requestLines.length > 0);
      for (const line of requestLines) assert.equal(logLine.parse(JSON.parse(line)).reqId, 'test-request-42');
      assert.ok(server.lines.some((l) => /"msg":"stopped"/.test(l)));
    } finally {
      server.child.kill('SIGKILL');
      await db.drop();
    }
  });
});
