import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { appendAuditEvents } from '../../src/audit/audit.service';
import { type LogSigner, logSigner, signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { loadLogKey } from '../../src/transparency/log-key';
import { testConfig } from '../helpers/app';
import { asInsider, createTestDatabase, type TestDatabase, testSigner } from '../helpers/database';
import { rebuildMerkleTree, removeLastEvents, rewriteEvents } from '../helpers/insider';

/**
 * The checkpoint signer against an insider with the database owner role (no key file, no access to
 * the signer's state file): whatever the insider does to log_checkpoints, the signer remembers
 * outside the database what it signed, and never signs a checkpoint that contradicts it.
 */

const key = loadLogKey(testConfig);
const INTERVAL = { intervalSeconds: 30 };
const T0 = new Date(Date.UTC(2026, 11, 1, 9, 0, 0));
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe("the checkpoint signer's memory outside the database (LOG_SIGNER_STATE_FILE)", () => {
  let db: TestDatabase;
  let n = 0;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(() => db.drop());

  const append = (count: number) =>
    db.dataSource.transaction((m) =>
      appendAuditEvents(
        m,
        new Date(),
        Array.from({ length: count }, () => ({
          actor: 'test:signer',
          action: 'test.event',
          subjectType: 'test',
          subjectId: String(n++),
        })),
      ),
    );
  const checkpoints = async () =>
    (
      await db.dataSource.query<{ size: number }[]>(
        'SELECT tree_size::int AS size FROM log_checkpoints ORDER BY id',
      )
    ).map((r) => r.size);
  const sign = async (seconds: number, signer: LogSigner = testSigner(db)) => {
    const result = await signCheckpointIfDue(db.dataSource, signer, at(seconds), INTERVAL);
    return result.outcome === 'refused' ? `refused: ${result.reason}` : result.outcome;
  };
  /** The same state file, read afresh: the signer after a restart. */
  const restarted = (warnings: string[] = []) =>
    logSigner(key, db.signerStateFile, (message) => warnings.push(message));
  const wipeCheckpoints = (where: string) =>
    asInsider(db, ['log_checkpoints', 'audit_verifications'], async (c) => {
      await c.query(`DELETE FROM log_checkpoints ${where}`);
      await c.query('DELETE FROM audit_verifications');
    });

  it('writes what it signed to the file: origin, size, root, when and the note', async () => {
    await append(4);
    assert.equal(await sign(0), 'signed');
    const state = JSON.parse(readFileSync(db.signerStateFile, 'utf8')) as Record<string, unknown>;
    const [row] = await db.dataSource.query<{ root: string; note: string }[]>(
      "SELECT encode(root_hash, 'hex') AS root, note FROM log_checkpoints",
    );
    assert.deepEqual(state, {
      origin: key.origin,
      treeSize: 4,
      rootHash: row?.root,
      signedAt: T0.toISOString(),
      note: row?.note,
    });
  });

  for (const grows of [2, 8]) {
    it(`case A: the last events, their leaves and nodes and the later checkpoints removed, the log grown by ${grows}: refuses, records nothing, also after a restart`, async () => {
      await append(10);
      assert.equal(await sign(0), 'signed');
      await append(5);
      assert.equal(await sign(60), 'signed');
      await removeLastEvents(db, 5, true);
      await wipeCheckpoints('WHERE tree_size > 10');
      await append(grows);
      const expected =
        grows < 5
          ? new RegExp(
              `^refused: the stored tree has ${10 + grows} leaves, fewer than the checkpoint this signer last signed \\(15 leaves, signed at ${at(60).toISOString()}; ${db.signerStateFile}\\)$`,
            )
          : new RegExp(
              `^refused: the stored tree's root at size 15 is not the root of the checkpoint this signer last signed \\(15 leaves, signed at ${at(60).toISOString()}`,
            );
      assert.match(await sign(120), expected);
      assert.match(await sign(86_400 + 120, restarted()), expected);
      assert.deepEqual(await checkpoints(), [10]);
    });
  }

  it('case B: an event in the middle rewritten, the chain rehashed, the tree rebuilt, every checkpoint and verification removed: refuses, records nothing', async () => {
    await append(20);
    assert.equal(await sign(0), 'signed');
    await rewriteEvents(db, (events) => {
      events[10]!.actor = 'insider@example.org';
      return 10;
    });
    await rebuildMerkleTree(db);
    await wipeCheckpoints('');
    await append(2);
    const expected = new RegExp(
      `^refused: the stored tree's root at size 20 is not the root of the checkpoint this signer last signed \\(20 leaves, signed at ${T0.toISOString()}`,
    );
    assert.match(await sign(60), expected);
    assert.match(await sign(120, restarted()), expected);
    assert.deepEqual(await checkpoints(), []);
  });

  it('refuses when log_checkpoints lost its rows, though the tree is untouched', async () => {
    await append(3);
    assert.equal(await sign(0), 'signed');
    await wipeCheckpoints('');
    await append(1);
    assert.match(
      await sign(60),
      /^refused: log_checkpoints holds no checkpoint, not even the checkpoint this signer last signed \(3 leaves/,
    );
    assert.deepEqual(await checkpoints(), []);
  });

  it('refuses when the latest checkpoint row was altered, naming the row', async () => {
    await append(5);
    assert.equal(await sign(0), 'signed');
    const [{ id } = { id: '' }] = await db.dataSource.query<{ id: string }[]>(
      'SELECT id::text FROM log_checkpoints',
    );
    await asInsider(db, ['log_checkpoints'], (c) =>
      c.query("UPDATE log_checkpoints SET root_hash = decode(repeat('ab', 32), 'hex')"),
    );
    await append(1);
    assert.match(
      await sign(60),
      new RegExp(
        `^refused: log_checkpoints' latest row ${id} \\(5 leaves, signed at ${T0.toISOString()}\\) is not the checkpoint this signer last signed .*: its root or note differs$`,
      ),
    );
    assert.deepEqual(await checkpoints(), [5]);
  });

  it('accepts a later checkpoint another instance signed with the same key, and refuses it once its row is altered', async () => {
    await append(5);
    assert.equal(await sign(0), 'signed');
    // Another instance, with a state file of its own here, adopts the checkpoint of 5 and signs 8.
    const other = logSigner(key, path.join(path.dirname(db.signerStateFile), 'other.json'), () => undefined);
    await append(3);
    assert.equal(await sign(60, other), 'signed');
    await append(2);
    assert.equal(await sign(120), 'signed');
    assert.deepEqual(await checkpoints(), [5, 8, 10]);
    await append(1);
    assert.equal(await sign(180, other), 'signed');
    await asInsider(db, ['log_checkpoints'], (c) =>
      c.query('UPDATE log_checkpoints SET tree_size = 10 WHERE tree_size = 11'),
    );
    await append(1);
    // This instance last signed 10 (its file was not shared here): the row now says 10, but is not its.
    const notMine = new RegExp(
      `^refused: log_checkpoints' latest row \\d+ \\(10 leaves, signed at ${at(180).toISOString()}\\) is not the checkpoint this signer last signed \\(10 leaves, signed at ${at(120).toISOString()}; .*\\): its root or note differs$`,
    );
    assert.match(await sign(240), notMine);
    assert.match(await sign(240, restarted()), notMine);
    // The other instance signed 11: the row is older than that.
    assert.match(
      await sign(240, other),
      /^refused: log_checkpoints' latest row \d+ \(10 leaves, signed at .*\) is older than the checkpoint this signer last signed \(11 leaves/,
    );
    assert.deepEqual(await checkpoints(), [5, 8, 10, 10]);
  });

  it('with no state file but checkpoints in the database: adopts the latest, verified by the log key, and says so', async () => {
    await append(5);
    assert.equal(await sign(0), 'signed');
    rmSync(db.signerStateFile);
    const warnings: string[] = [];
    const fresh = restarted(warnings);
    await append(2);
    assert.equal(await sign(60, fresh), 'signed');
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0] ?? '',
      new RegExp(
        `state file .* was missing: it adopts the database's latest checkpoint \\(row \\d+, 5 leaves, signed at ${T0.toISOString()}\\), whose note the log key signed`,
      ),
    );
    assert.equal((JSON.parse(readFileSync(db.signerStateFile, 'utf8')) as { treeSize: number }).treeSize, 7);
    assert.deepEqual(await checkpoints(), [5, 7]);
  });

  it('with no state file, does not adopt a checkpoint row whose note does not say what the row says', async () => {
    await append(5);
    assert.equal(await sign(0), 'signed');
    rmSync(db.signerStateFile);
    await asInsider(db, ['log_checkpoints'], (c) => c.query('UPDATE log_checkpoints SET tree_size = 4'));
    await append(1);
    assert.match(
      await sign(60, restarted()),
      /^refused: the signer's state file .* is missing and the database's latest checkpoint cannot be adopted: checkpoint row \d+ \(4 leaves, signed at .*\) says tree_size 4, its signed note 5$/,
    );
    assert.equal(existsSync(db.signerStateFile), false);
    assert.deepEqual(await checkpoints(), [4]);
  });
});
