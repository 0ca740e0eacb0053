import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/database/embedded';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { ROOT, runCli, startServer } from '../helpers/processes';

/** A database address where nothing answers: a command that gets as far as connecting says so. */
const NOWHERE = 'postgres://nobody:secret@127.0.0.1:1/none';
const SIGNING = {
  SIGNING_P12_FILE: path.join(ROOT, 'test', 'fixtures', 'signing', 'openssl3.p12'),
  SIGNING_P12_PASSPHRASE: 'geheim wachtwoord',
  LOG_SIGNING_KEY_FILE: path.join(ROOT, 'test', 'fixtures', 'log-signing', 'ed25519.pem'),
};

/** Whether the migrations ever ran on the database (the table TypeORM keeps them in). */
async function migrated(db: TestDatabase): Promise<boolean> {
  const [row] = await db.asOwner<{ table: string | null }>(
    `SELECT to_regclass('public.migrations')::text AS table`,
  );
  return row?.table != null;
}

/** One line on stderr, without a stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${stderr}`);
  assert.doesNotMatch(stderr, /^\s+at /m);
  return lines[0]!;
}

describe('commands refuse bad input before touching anything', () => {
  let folder: string;
  let empty: TestDatabase;
  before(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'vhp-cli-'));
    empty = await createTestDatabase({ migrated: false });
  });
  after(async () => {
    rmSync(folder, { recursive: true, force: true });
    await empty.drop();
  });
  const onEmpty = () => ({ DATABASE_URL: empty.url, MIGRATION_DATABASE_URL: empty.ownerUrl });

  it('seed:bulk is refused when NODE_ENV=production, saying why', () => {
    const result = runCli(['seed:bulk', '--providers', '10'], {
      NODE_ENV: 'production',
      DATABASE_URL: NOWHERE,
      MIGRATION_DATABASE_URL: NOWHERE,
      PUBLIC_BASE_URL: 'https://register.example',
      SESSION_SECRET: 'x'.repeat(40),
      SECRETS_KEY: '0'.repeat(64),
      SEED_DEMO_DATA: 'false',
      ...SIGNING,
    });
    assert.equal(result.status, 2);
    assert.match(
      oneLine(result.stderr),
      /^seed:bulk is refused when NODE_ENV=production: the fictional providers it loads can never be removed/,
    );
  });

  it('seed:bulk takes a number of providers in digits only, and checks it before creating the schema', async () => {
    // Every spelling is in the unit test of bulkCount; here that the command asks before migrating.
    const result = runCli(['seed:bulk', '--providers', '1e3'], onEmpty());
    assert.equal(result.status, 2);
    assert.match(
      oneLine(result.stderr),
      /^Give --providers N, N a whole number from 1 to 1000000 in digits; got "1e3"\.$/,
    );
    const unknown = runCli(['seed:bulk', '--provider', '5'], onEmpty());
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /Unknown option '--provider'/);
    const negative = runCli(['seed:bulk', '--providers', '-5'], onEmpty());
    assert.equal(negative.status, 2);
    assert.match(
      oneLine(negative.stderr),
      /^Give --providers N, N a whole number from 1 to 1000000 in digits; got "-5"\.$/,
    );
    const twice = runCli(['seed:bulk', '--providers', '2', '--providers', '900'], onEmpty());
    assert.equal(twice.status, 2);
    assert.match(twice.stderr, /^Option '--providers' is given more than once: give it once\.\n/);
    const extra = runCli(['jobs:daily', 'now'], onEmpty());
    assert.equal(extra.status, 2);
    assert.match(extra.stderr, /This command takes no arguments; got now/);
    assert.equal(await migrated(empty), false, 'no migration ran');
  });

  it('an unreachable database is one line naming the setting', () => {
    const runtime = runCli(['audit:verify'], { DATABASE_URL: NOWHERE });
    assert.equal(runtime.status, 1);
    assert.match(
      oneLine(runtime.stderr),
      /^Cannot connect to the database that DATABASE_URL names \(127\.0\.0\.1:1\/none\): .*ECONNREFUSED/,
    );
    const owner = runCli(['db:migrate'], { DATABASE_URL: empty.url, MIGRATION_DATABASE_URL: NOWHERE });
    assert.match(oneLine(owner.stderr), /^Cannot connect to the database that MIGRATION_DATABASE_URL names/);
  });

  it('LOG_LEVEL=loud is refused naming LOG_LEVEL, by the commands and the server', async () => {
    const result = runCli(['audit:verify'], { DATABASE_URL: NOWHERE, LOG_LEVEL: 'loud' });
    assert.equal(result.status, 1);
    assert.match(
      oneLine(result.stderr),
      /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/,
    );
    const server = startServer({ DATABASE_URL: NOWHERE, LOG_LEVEL: 'loud', PORT: String(await freePort()) });
    assert.equal(await server.exited, 1);
    const [line] = server.lines.filter((l) => l.trim());
    assert.match(line ?? '', /"msg":"the register could not start: LOG_LEVEL must be one of/);
    assert.doesNotMatch(line ?? '', /"stack"/);
  });

  it('aan:import refuses a missing file and one over the web form’s 5 MB before connecting', () => {
    const missing = runCli(['aan:import', path.join(folder, 'nergens.csv')], { DATABASE_URL: NOWHERE });
    assert.equal(missing.status, 2);
    assert.match(oneLine(missing.stderr), /^There is no file .*nergens\.csv\.$/);
    const large = path.join(folder, 'groot.csv');
    writeFileSync(large, Buffer.alloc(5 * 1024 * 1024 + 1, 'a'));
    const tooLarge = runCli(['aan:import', large], { DATABASE_URL: NOWHERE });
    assert.equal(tooLarge.status, 2);
    assert.match(
      oneLine(tooLarge.stderr),
      /groot\.csv is 5\.0 MB; the AAN participant list may be at most 5 MB/,
    );
    const noFile = runCli(['aan:import', folder], { DATABASE_URL: NOWHERE });
    assert.match(oneLine(noFile.stderr), /is not a file\./);
  });

  describe('aan:import on a database', () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase();
    });
    after(() => db.drop());
    const env = () => ({ DATABASE_URL: db.url, MIGRATION_DATABASE_URL: db.ownerUrl });

    it('says what a file that is not UTF-8 looks like: Windows-1252 or UTF-16', () => {
      const text = 'kvk_nummer;naam;deelname_sinds;deelname_tot\r\n12345678;Café Hosting;2024-01-01;\r\n';
      // The look-alikes themselves are in the unit test of lookalikeCharset.
      const files = {
        'Windows-1252': Buffer.from(text, 'latin1'),
        'UTF-16': Buffer.from(text, 'utf16le'),
      };
      for (const [looks, bytes] of Object.entries(files)) {
        const file = path.join(folder, 'lijst.csv');
        writeFileSync(file, bytes);
        const result = runCli(['aan:import', file], env());
        assert.equal(result.status, 1, result.stderr);
        assert.match(
          result.stderr,
          new RegExp(
            `the file: the file is not UTF-8 text: it looks like ${looks.trim()} \\(save it as ‘CSV UTF-8’\\)\\n`,
          ),
        );
      }
    });

    it('prints at most 100 problem lines and counts the rest', () => {
      const lines = ['kvk_nummer;naam;deelname_sinds;deelname_tot'];
      for (let i = 0; i < 150; i++) lines.push(`1234${i};Hoster ${i};2024-01-01;`);
      const file = path.join(folder, 'fouten.csv');
      writeFileSync(file, lines.join('\n'));
      const result = runCli(['aan:import', file], env());
      assert.equal(result.status, 1);
      const problems = result.stderr.split('\n').filter((l) => /^ {2}line \d+:/.test(l));
      assert.equal(problems.length, 100);
      assert.match(result.stderr, /\n {2}… and 50 more\n/);
    });
  });

  describe('the server checks the signing key and the port before it migrates', () => {
    it('a missing signing key file: one line naming SIGNING_P12_FILE, and no migration', async () => {
      const server = startServer({
        ...onEmpty(),
        PORT: String(await freePort()),
        SIGNING_P12_FILE: path.join(folder, 'geen-sleutel.p12'),
        SIGNING_P12_PASSPHRASE: 'x',
      });
      assert.equal(await server.exited, 1);
      const [line] = server.lines.filter((l) => l.trim());
      assert.match(line ?? '', /could not start: SIGNING_P12_FILE: there is no file at .*geen-sleutel\.p12/);
      assert.doesNotMatch(line ?? '', /"stack"/);
      assert.equal(await migrated(empty), false);
    });

    it('a port in use: one line naming PORT, and no migration', async () => {
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, resolve));
      try {
        const port = (taken.address() as net.AddressInfo).port;
        const server = startServer({ ...onEmpty(), ...SIGNING, PORT: String(port) });
        assert.equal(await server.exited, 1);
        const [line] = server.lines.filter((l) => l.trim());
        assert.match(line ?? '', new RegExp(`could not start: PORT ${port} is in use by another program`));
        assert.equal(await migrated(empty), false);
      } finally {
        taken.close();
      }
    });
  });
});
