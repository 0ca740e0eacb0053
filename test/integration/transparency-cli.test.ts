import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { type AuditEntry, appendAuditEvents } from '../../src/audit/audit.service';
import { testConfig } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { runCli } from '../helpers/processes';

const entry = (n: number): AuditEntry => ({
  actor: 'test:cli',
  action: 'test.event',
  subjectType: 'test',
  subjectId: String(n),
  data: { n },
});

/** `log:checkpoint`, each of its outcomes as the operator sees it: words and exit code. */
describe('log:checkpoint on the command line', () => {
  let db: TestDatabase;
  const env = () => ({
    DATABASE_URL: db.url,
    MIGRATION_DATABASE_URL: db.ownerUrl,
    PUBLIC_BASE_URL: testConfig.publicBaseUrl,
    DATA_DIR: testConfig.dataDir,
    LOG_SIGNER_STATE_FILE: db.signerStateFile,
  });
  const checkpoint = () => runCli(['log:checkpoint'], env());
  const checkpointCount = async () =>
    (await db.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM log_checkpoints'))[0]?.n;

  before(async function () {
    this.timeout(60_000);
    db = await createTestDatabase();
    await db.dataSource.transaction((m) =>
      appendAuditEvents(
        m,
        new Date(),
        Array.from({ length: 7 }, (_, i) => entry(i)),
      ),
    );
  });
  after(() => db.drop());

  it('refuses arguments it does not take (usage, exit 2)', () => {
    const result = runCli(['log:checkpoint', 'now'], env());
    assert.equal(result.status, 2);
    assert.match(result.stderr, /This command takes no arguments; got now/);
  });

  it('signs a checkpoint of the grown log and prints its note, then signs nothing while the log has not grown', async () => {
    const size = (
      await db.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM audit_events')
    )[0]?.n;
    const signed = checkpoint();
    assert.equal(signed.status, 0, signed.stderr);
    assert.match(signed.stdout, new RegExp(`^Signed a checkpoint of ${size} leaves:\\n\\n.+\\n${size}\\n`));
    assert.equal(await checkpointCount(), 1);

    const again = checkpoint();
    assert.equal(again.status, 0, again.stderr);
    assert.match(
      again.stdout,
      new RegExp(
        `^The log has not grown since the checkpoint of ${size} leaves signed at \\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z; nothing signed\\.`,
      ),
    );
    assert.equal(await checkpointCount(), 1);
  });

  it('says another instance is signing while the signing lock is held (exit 1), and signs nothing', async () => {
    await db.dataSource.transaction((m) => appendAuditEvents(m, new Date(), [entry(7)]));
    const other = db.dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock(7306117016)');
      const busy = checkpoint();
      assert.equal(busy.status, 1);
      assert.match(busy.stderr, /Another instance is signing a checkpoint right now; nothing done\./);
    } finally {
      await other.query('SELECT pg_advisory_unlock(7306117016)');
      await other.release();
    }
    assert.equal(await checkpointCount(), 1);
  });

  it('refuses with the reason and points to audit:verify --full when the log contradicts what the signer remembers (exit 1)', async () => {
    const kept = readFileSync(db.signerStateFile, 'utf8');
    const remembered = JSON.parse(kept) as Record<string, unknown>;
    writeFileSync(db.signerStateFile, JSON.stringify({ ...remembered, origin: 'elders.example/log' }));
    try {
      const refused = checkpoint();
      assert.equal(refused.status, 1);
      assert.match(
        refused.stderr,
        /No checkpoint signed: the checkpoint this signer last signed \(\d+ leaves, signed at .+\) is of origin "elders\.example\/log", the log key's origin is ".+"\. Run audit:verify --full\./,
      );
      assert.equal(await checkpointCount(), 1);
    } finally {
      writeFileSync(db.signerStateFile, kept);
    }
  });

  it('stops, naming the file, when its state file is not what the signer writes', async () => {
    const kept = readFileSync(db.signerStateFile, 'utf8');
    writeFileSync(db.signerStateFile, 'geen JSON');
    try {
      const stopped = checkpoint();
      assert.equal(stopped.status, 1);
      assert.match(
        stopped.stderr,
        new RegExp(
          `the signer's state file ${db.signerStateFile.replaceAll('.', '\\.')} is not what the signer writes \\(`,
        ),
      );
      assert.equal(await checkpointCount(), 1);
    } finally {
      writeFileSync(db.signerStateFile, kept);
    }
  });
});
