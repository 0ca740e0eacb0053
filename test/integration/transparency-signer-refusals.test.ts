import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { type AuditEntry, appendAuditEvents } from '../../src/audit/audit.service';
import { logSigner, signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { loadLogKey } from '../../src/transparency/log-key';
import { testConfig } from '../helpers/app';
import { asInsider, createTestDatabase, type TestDatabase, testSigner } from '../helpers/database';

const INTERVAL = { intervalSeconds: 30 };
const entry = (n: number): AuditEntry => ({
  actor: 'test:signer',
  action: 'test.event',
  subjectType: 'test',
  subjectId: String(n),
  data: { n },
});

/**
 * The checkpoint signer's refusals and its answer to a second instance: each leaves log_checkpoints
 * as it was. One log of 5 leaves with a checkpoint of 5, then 3 more leaves, so a checkpoint is due.
 */
describe('the checkpoint signer refuses, or waits, and signs nothing', () => {
  let db: TestDatabase;
  let start: Date;
  const later = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
  const checkpointCount = async () =>
    Number(
      (await db.dataSource.query<{ n: string }[]>('SELECT count(*)::text AS n FROM log_checkpoints'))[0]?.n,
    );

  before(async function () {
    this.timeout(60_000);
    db = await createTestDatabase();
    start = new Date();
    const append = (from: number, count: number) =>
      db.dataSource.transaction((m) =>
        appendAuditEvents(
          m,
          new Date(),
          Array.from({ length: count }, (_, i) => entry(from + i)),
        ),
      );
    await append(0, 5);
    assert.equal(
      (await signCheckpointIfDue(db.dataSource, testSigner(db), start, INTERVAL)).outcome,
      'signed',
    );
    await append(5, 3);
  });
  after(() => db.drop());

  it('answers busy while another instance holds the signing lock', async () => {
    const other = db.dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock(7306117016)');
      const outcome = await signCheckpointIfDue(db.dataSource, testSigner(db), later(1), INTERVAL);
      assert.deepEqual(outcome, { outcome: 'busy' });
      assert.equal(await checkpointCount(), 1);
    } finally {
      await other.query('SELECT pg_advisory_unlock(7306117016)');
      await other.release();
    }
  });

  const withStateFile = async (text: string, check: () => Promise<void>) => {
    const file = testSigner(db).memory.file;
    const kept = readFileSync(file, 'utf8');
    writeFileSync(file, text);
    try {
      await check();
    } finally {
      writeFileSync(file, kept);
    }
  };

  it('refuses while its state file cannot be read, naming the file, and answers the last checkpoint', async () => {
    await withStateFile('{"origin": "register.test', async () => {
      const outcome = await signCheckpointIfDue(db.dataSource, testSigner(db), later(2), INTERVAL);
      assert.equal(outcome.outcome, 'refused');
      assert.ok(outcome.outcome === 'refused');
      assert.match(outcome.reason, /^the signer's state file .+ is not what the signer writes \(/);
      assert.equal(outcome.last?.treeSize, 5);
      assert.equal(await checkpointCount(), 1);
    });
  });

  it('refuses when the checkpoint it remembers is of another origin than the log key', async () => {
    const file = testSigner(db).memory.file;
    const remembered = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    await withStateFile(JSON.stringify({ ...remembered, origin: 'elders.example/log' }), async () => {
      // A signer started now reads the file (a running one keeps its own memory of the same size).
      const started = logSigner(loadLogKey(testConfig), file, () => undefined);
      const outcome = await signCheckpointIfDue(db.dataSource, started, later(3), INTERVAL);
      assert.ok(outcome.outcome === 'refused');
      assert.match(
        outcome.reason,
        /^the checkpoint this signer last signed \(5 leaves, .+\) is of origin "elders\.example\/log", the log key's origin is "/,
      );
      assert.equal(await checkpointCount(), 1);
    });
  });

  it('refuses when a node of the stored tree under the remembered checkpoint is gone', async () => {
    // The root of 5 leaves is made of the subtree of leaves 0-3 and leaf 4: remove leaf 4's node.
    await asInsider(db, ['merkle_nodes'], (client) =>
      client.query('DELETE FROM merkle_nodes WHERE level = 0 AND index = 4'),
    );
    const outcome = await signCheckpointIfDue(db.dataSource, testSigner(db), later(4), INTERVAL);
    assert.ok(outcome.outcome === 'refused');
    assert.match(
      outcome.reason,
      /^the stored tree's root at size 5 is not the root of the checkpoint this signer last signed \(5 leaves/,
    );
    assert.equal(await checkpointCount(), 1);
  });
});
