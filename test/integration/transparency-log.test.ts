import assert from 'node:assert/strict';
import { openNote } from '../../monitor/lib/note';
import { parseCheckpoint } from '../../monitor/lib/checkpoint';
import { CompactRange, leafHash, verifyConsistency, verifyInclusion } from '../../monitor/lib/merkle';
import {
  type AuditEntry,
  appendAuditEvents,
  verifyAuditChain,
  verifyAuditChainIncrementally,
  recordAuditVerification,
} from '../../src/audit/audit.service';
import { chainHash, GENESIS_HASH } from '../../src/audit/audit-chain';
import { carriedOverEntryAgrees, legacyLeafEntry } from '../../src/audit/legacy-leaf-entry';
import { leafEntry } from '../../src/audit/leaf-entry';
import { runMigrations } from '../../src/database/connect';
import { createRegisterDataSource } from '../../src/entities';
import { createLogger } from '../../src/shared/logger';
import { must } from '../../src/shared/must';
import { signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { loadLogKey } from '../../src/transparency/log-key';
import { consistencyProofBetween, inclusionProofAt, rootAt } from '../../src/transparency/proofs';
import { testConfig } from '../helpers/app';
import {
  asInsider,
  createTestDatabase,
  tamperWithAuditLog,
  type TestDatabase,
  testRoles,
  testSigner,
} from '../helpers/database';
import { rebuildMerkleTree, removeLastEvents, rewriteEvents, swapEvents } from '../helpers/insider';
import { eventsInChainOrder, treeOf } from '../helpers/merkle';

const key = loadLogKey(testConfig);
const INTERVAL = { intervalSeconds: 30 };

/** A small deterministic generator (mulberry32): the same "random" mix on every run. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const entry = (n: number): AuditEntry => ({
  actor: 'test:transparency',
  action: 'test.event',
  subjectType: 'test',
  subjectId: String(n),
  data: { n, text: 'é'.repeat(n % 7) },
});

async function append(db: TestDatabase, count: number, from = 0): Promise<void> {
  await db.dataSource.transaction((m) =>
    appendAuditEvents(
      m,
      new Date(),
      Array.from({ length: count }, (_, i) => entry(from + i)),
    ),
  );
}

/** The stored tree: every leaf and node, in key order. */
async function storedTree(db: TestDatabase) {
  const leaves = await db.dataSource.query<
    { index: number; eventId: string; entry: string | null; salt: Buffer }[]
  >(
    'SELECT leaf_index::float8 AS index, event_id::text AS "eventId", entry, salt FROM merkle_leaves ORDER BY leaf_index',
  );
  const nodes = await db.dataSource.query<{ level: number; index: number; hash: Buffer }[]>(
    'SELECT level, index::float8 AS index, hash FROM merkle_nodes ORDER BY level, index',
  );
  return { leaves, nodes };
}

async function assertTreeIsRebuiltFromEvents(db: TestDatabase): Promise<void> {
  const expected = treeOf(await eventsInChainOrder(db));
  const stored = await storedTree(db);
  assert.deepEqual(stored.leaves, expected.leaves);
  const byKey = (n: { level: number; index: number }) => n.level * 1e12 + n.index;
  assert.deepEqual(
    stored.nodes.map((n) => [n.level, n.index, n.hash.toString('hex')]),
    [...expected.nodes]
      .sort((a, b) => byKey(a) - byKey(b))
      .map((n) => [n.level, n.index, n.hash.toString('hex')]),
  );
}

describe('the transparency log (Merkle tree over the audit log)', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(() => db.drop());

  describe('appending', () => {
    it('keeps the stored tree equal to the tree rebuilt from the events, over a random mix of single and bulk appends', async () => {
      const next = random(16);
      let n = 0;
      for (let round = 0; round < 25; round++) {
        const count = next() < 0.5 ? 1 : 1 + Math.floor(next() * 70);
        await append(db, count, n);
        n += count;
        if (round % 6 === 5) await assertTreeIsRebuiltFromEvents(db);
      }
      await assertTreeIsRebuiltFromEvents(db);
      const [{ count } = { count: 0 }] = await db.dataSource.query<{ count: number }[]>(
        'SELECT count(*)::int AS count FROM audit_events',
      );
      assert.equal(count, n);
    });

    it('appends in the same transaction as the event: a rolled-back event leaves no leaf', async () => {
      await append(db, 3);
      await assert.rejects(
        db.dataSource.transaction(async (m) => {
          await appendAuditEvents(m, new Date(), [entry(9)]);
          throw new Error('the change fails');
        }),
        /the change fails/,
      );
      await append(db, 2);
      await assertTreeIsRebuiltFromEvents(db);
    });

    it('refuses an event whose leaf entry would not fit a tlog-tiles entry (65,535 bytes), appending nothing', async () => {
      await append(db, 1);
      // Its data behind the digest: the leaf stays small, whatever the data.
      await db.dataSource.transaction((m) =>
        appendAuditEvents(m, new Date(), [{ ...entry(1), data: { text: 'x'.repeat(65_600) } }]),
      );
      // A public field too long for a leaf.
      await assert.rejects(
        db.dataSource.transaction((m) =>
          appendAuditEvents(m, new Date(), [
            { ...entry(2), action: 'attestation.issued', data: { number: 'x'.repeat(65_600) } },
          ]),
        ),
        /at most 65535/,
      );
      const stored = await storedTree(db);
      assert.equal(stored.leaves.length, 2);
    });

    it('keeps the Merkle tables append-only, to the app', async () => {
      await append(db, 2);
      for (const sql of [
        'UPDATE merkle_nodes SET hash = hash',
        'DELETE FROM merkle_leaves',
        'TRUNCATE merkle_nodes',
        'DELETE FROM log_checkpoints',
      ])
        await assert.rejects(db.dataSource.query(sql), /permission denied|not allowed/, sql);
    });
  });

  describe('proofs from the database', () => {
    it('gives inclusion and consistency proofs that verify, for many sizes and indexes', async () => {
      const total = 77;
      await append(db, total);
      const events = await eventsInChainOrder(db);
      const leaves = events.map((e) => leafHash(leafEntry(e, e.salt)));
      const roots: Buffer[] = [];
      const range = new CompactRange();
      for (const leaf of leaves) {
        range.append(leaf);
        roots[range.size] = range.root();
      }
      for (let size = 1; size <= total; size += size < 20 ? 1 : 7) {
        const root = must(roots[size], 'a root per size');
        assert.deepEqual(await rootAt(db.dataSource.manager, size), root);
        for (let index = 0; index < size; index += Math.max(1, Math.floor(size / 9))) {
          const proof = await inclusionProofAt(db.dataSource.manager, index, size);
          verifyInclusion(index, size, must(leaves[index], 'a leaf'), proof, root);
        }
        for (let size1 = 1; size1 <= size; size1 += Math.max(1, Math.floor(size / 6))) {
          const proof = await consistencyProofBetween(db.dataSource.manager, size1, size);
          verifyConsistency(size1, size, must(roots[size1], 'a root'), root, proof);
        }
      }
    });
  });

  describe('the migration', () => {
    it('carries over the events written before it, in chain order, with their entries stored', async () => {
      const owner = createRegisterDataSource({ url: db.ownerUrl, poolSize: 2 });
      await owner.initialize();
      try {
        // Back to before the Merkle log (and every later migration).
        while (
          (await owner.query<unknown[]>(`SELECT 1 FROM migrations WHERE timestamp >= 1764700000000`)).length >
          0
        )
          await owner.undoLastMigration({ transaction: 'each' });
        // The old path: events chained, no tree. More than one batch of the backfill.
        let prev = GENESIS_HASH;
        const rows: unknown[][] = [];
        for (let i = 0; i < 5_123; i++) {
          const event = {
            id: String(i + 1),
            occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
            actor: i % 3 ? `persoon${i}@example.org` : 'system',
            action: 'test.event',
            subjectType: 'test',
            subjectId: String(i),
            data: { i },
          };
          const hash = chainHash(prev, event);
          rows.push([
            event.id,
            event.occurredAt,
            event.actor,
            event.action,
            event.subjectType,
            event.subjectId,
            event.data,
            prev,
            hash,
          ]);
          prev = hash;
        }
        for (let i = 0; i < rows.length; i += 1000) {
          const chunk = rows.slice(i, i + 1000);
          await owner.query(
            `INSERT INTO audit_events (id, occurred_at, actor, action, subject_type, subject_id, data, prev_hash, hash) VALUES ${chunk
              .map((_, r) => `(${Array.from({ length: 9 }, (__, c) => `$${r * 9 + c + 1}`).join(', ')})`)
              .join(', ')}`,
            chunk.flat(),
          );
        }
        await owner.query(`SELECT setval('audit_events_id_seq', 5123)`);
        await runMigrations(owner, createLogger('silent'), testRoles.runtime);
      } finally {
        await owner.destroy();
      }
      const stored = await storedTree(db);
      assert.equal(stored.leaves.length, 5_123);
      const events = await eventsInChainOrder(db);
      assert.ok(events.every((e) => e.entry !== null));
      const eighth = must(events[7], 'event 8');
      assert.equal(stored.leaves[7]?.entry, eighth.entry);
      assert.ok(eighth.entry !== null && carriedOverEntryAgrees(eighth.entry, eighth, eighth.salt));
      // An action no table classifies names no one: its actor (an address no user has) as the role
      // `person`, no subject; its actor, subject and data behind the digest over the original ones.
      assert.equal(eighth.entry, legacyLeafEntry(eighth, eighth.salt, new Map()));
      assert.match(eighth.entry, /"actor":"person","data":\{\},"dataDigest":"[0-9a-f]{64}".*"subjectId":""/);
      assert.doesNotMatch(eighth.entry, /@example\.org|"i":7/);
      assert.equal(new Set(events.map((e) => e.salt.toString('hex'))).size, events.length, 'a salt per leaf');
      await assertTreeIsRebuiltFromEvents(db);
      // Events written after it are leaves their event and salt make (no stored entry), after the carried-over ones.
      await append(db, 3);
      const after = await storedTree(db);
      assert.deepEqual(
        after.leaves.slice(-3).map((l) => [l.index, l.entry]),
        [
          [5123, null],
          [5124, null],
          [5125, null],
        ],
      );
      await assertTreeIsRebuiltFromEvents(db);
      assert.equal((await verifyAuditChain(db.dataSource)).broken, undefined);
    });
  });

  describe('signing checkpoints', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, s));

    it('signs the first at once, then only when grown and the interval passed, or asked, or a day later', async () => {
      await append(db, 3);
      const first = await signCheckpointIfDue(db.dataSource, testSigner(db), at(0), INTERVAL);
      assert.equal(first.outcome, 'signed');
      const { text } = openNote(first.outcome === 'signed' ? first.note : '', [key.verifierKey]);
      const parsed = parseCheckpoint(text);
      assert.deepEqual([parsed.origin, parsed.size], [key.origin, 3]);
      assert.equal(parsed.root.toString('hex'), (await rootAt(db.dataSource.manager, 3)).toString('hex'));
      assert.equal(
        (await signCheckpointIfDue(db.dataSource, testSigner(db), at(40), INTERVAL)).outcome,
        'not_due',
        'not grown',
      );
      await append(db, 1);
      assert.equal(
        (await signCheckpointIfDue(db.dataSource, testSigner(db), at(20), INTERVAL)).outcome,
        'not_due',
        'grown, within the interval',
      );
      assert.equal(
        (await signCheckpointIfDue(db.dataSource, testSigner(db), at(20), { ...INTERVAL, asked: true }))
          .outcome,
        'signed',
        'asked',
      );
      await append(db, 1);
      assert.equal(
        (await signCheckpointIfDue(db.dataSource, testSigner(db), at(49), INTERVAL)).outcome,
        'not_due',
      );
      assert.equal(
        (await signCheckpointIfDue(db.dataSource, testSigner(db), at(50), INTERVAL)).outcome,
        'signed',
        'grown, interval passed',
      );
      assert.equal(
        (
          await signCheckpointIfDue(
            db.dataSource,
            testSigner(db),
            new Date(at(50).getTime() + 86_399_000),
            INTERVAL,
          )
        ).outcome,
        'not_due',
      );
      const daily = await signCheckpointIfDue(
        db.dataSource,
        testSigner(db),
        new Date(at(50).getTime() + 86_400_000),
        INTERVAL,
      );
      assert.equal(daily.outcome, 'signed', 'a day later, not grown');
      const sizes = await db.dataSource.query<{ size: number }[]>(
        'SELECT tree_size::int AS size FROM log_checkpoints ORDER BY id',
      );
      assert.deepEqual(
        sizes.map((r) => r.size),
        [3, 4, 5, 5],
      );
    });

    it('refuses to sign, and records nothing, when the stored tree disagrees with the last checkpoint', async () => {
      await append(db, 5);
      assert.equal(
        (await signCheckpointIfDue(db.dataSource, testSigner(db), at(0), INTERVAL)).outcome,
        'signed',
      );
      await tamperWithAuditLog(
        db,
        `UPDATE audit_events SET actor = 'vervalst' WHERE id = (SELECT min(id) FROM audit_events)`,
      );
      await rebuildMerkleTree(db);
      await append(db, 1);
      const refused = await signCheckpointIfDue(db.dataSource, testSigner(db), at(100), INTERVAL);
      assert.equal(refused.outcome, 'refused');
      assert.match(refused.outcome === 'refused' ? refused.reason : '', /root at size 5 is not the root/);
      const [{ count } = { count: 0 }] = await db.dataSource.query<{ count: number }[]>(
        'SELECT count(*)::int AS count FROM log_checkpoints',
      );
      assert.equal(count, 1);
    });
  });

  describe('audit:verify against the latest signed checkpoint', () => {
    const verify = () => verifyAuditChain(db.dataSource, { verifierKey: key.verifierKey, batchSize: 4 });
    let ids: string[];
    beforeEach(async () => {
      await append(db, 10);
      assert.equal(
        (await signCheckpointIfDue(db.dataSource, testSigner(db), new Date(), INTERVAL)).outcome,
        'signed',
      );
      ids = (await eventsInChainOrder(db)).map((e) => e.id);
    });
    const nth = (i: number) => must(ids.at(i), `event ${i}`);

    it('agrees with an untouched log and names the checkpoint', async () => {
      const result = await verify();
      assert.equal(result.broken, undefined);
      assert.equal(result.checkpoint?.treeSize, 10);
    });

    for (const rebuilt of [false, true]) {
      const how = rebuilt ? 'with the Merkle tree rebuilt to match' : 'with the Merkle tree left as it was';
      it(`finds the last three events removed (triggers off), ${how}`, async () => {
        await removeLastEvents(db, 3, false);
        if (rebuilt) await rebuildMerkleTree(db);
        const result = await verify();
        assert.deepEqual([result.broken?.problem, result.broken?.id], ['log_shrank', nth(-4)]);
        assert.equal(result.broken?.checkpoint?.treeSize, 10);
      });

      it(`finds an event in the middle rewritten with every chain hash recomputed, ${how}`, async () => {
        await rewriteEvents(db, (events) => {
          must(events[4], 'event 5').actor = 'vervalst';
          return 4;
        });
        if (rebuilt) await rebuildMerkleTree(db);
        const result = await verify();
        assert.deepEqual(
          [result.broken?.problem, result.broken?.id],
          rebuilt ? ['checkpoint_mismatch', nth(9)] : ['leaf_mismatch', nth(4)],
        );
      });

      it(`finds two events swapped, ${how}`, async () => {
        await rewriteEvents(db, (events) => swapEvents(events, 2, 6));
        if (rebuilt) await rebuildMerkleTree(db);
        const result = await verify();
        assert.deepEqual(
          [result.broken?.problem, result.broken?.id],
          rebuilt ? ['checkpoint_mismatch', nth(9)] : ['leaf_mismatch', nth(2)],
        );
      });
    }

    it('finds a checkpoint whose record was changed behind its signature', async () => {
      await asInsider(db, ['log_checkpoints'], (c) =>
        c.query(`UPDATE log_checkpoints SET root_hash = sha256('x'::bytea)`),
      );
      assert.equal((await verify()).broken?.problem, 'checkpoint_signature');
    });

    describe('every signed checkpoint, not only the latest', () => {
      const later = (seconds: number) => new Date(Date.now() + seconds * 1000);
      /** Checkpoints of 12 and 14 leaves after the one of 10; answers all three rows in size order. */
      const twoMore = async () => {
        for (const [i, seconds] of [
          [0, 60],
          [1, 120],
        ] as const) {
          await append(db, 2, 200 + 2 * i);
          assert.equal(
            (await signCheckpointIfDue(db.dataSource, testSigner(db), later(seconds), INTERVAL)).outcome,
            'signed',
          );
        }
        ids = (await eventsInChainOrder(db)).map((e) => e.id);
        return db.dataSource.query<{ id: string; size: number; signedAt: Date }[]>(
          'SELECT id::text, tree_size::int AS size, signed_at AS "signedAt" FROM log_checkpoints ORDER BY tree_size',
        );
      };
      const named = (result: Awaited<ReturnType<typeof verify>>) => [
        result.broken?.problem,
        result.broken?.id,
        result.broken?.checkpoint?.treeSize,
        result.broken?.checkpoint?.signedAt.toISOString(),
      ];

      it('agrees when each one verifies and has the root the events make at its size', async () => {
        await twoMore();
        const result = await verify();
        assert.deepEqual([result.broken, result.checkpoint?.treeSize], [undefined, 14]);
      });

      it('finds an older checkpoint whose note was replaced by one the log key did not sign, and names it', async () => {
        const [, middle] = await twoMore();
        await asInsider(db, ['log_checkpoints'], (c) =>
          c.query(
            // The signature line's last base64 characters changed: the note no longer verifies.
            "UPDATE log_checkpoints SET note = regexp_replace(note, '....\n$', 'AAAA' || chr(10)) WHERE tree_size = 12",
          ),
        );
        assert.deepEqual(named(await verify()), [
          'checkpoint_signature',
          nth(11),
          12,
          middle?.signedAt.toISOString(),
        ]);
      });

      it('finds an older checkpoint whose size column no longer says what its note says', async () => {
        const [first] = await twoMore();
        await asInsider(db, ['log_checkpoints'], (c) =>
          c.query('UPDATE log_checkpoints SET tree_size = 11 WHERE tree_size = 10'),
        );
        const result = await verify();
        assert.deepEqual(named(result), ['checkpoint_signature', nth(10), 11, first?.signedAt.toISOString()]);
      });

      it('finds the first checkpoint whose root the rewritten events (tree rebuilt to match) no longer make: the one of 12, not the latest', async () => {
        const [, middle] = await twoMore();
        await rewriteEvents(db, (events) => {
          must(events[10], 'event 11').actor = 'vervalst';
          return 10;
        });
        await rebuildMerkleTree(db);
        assert.deepEqual(named(await verify()), [
          'checkpoint_mismatch',
          nth(11),
          12,
          middle?.signedAt.toISOString(),
        ]);
      });

      it('incrementally: checks the checkpoints signed since the last verification', async () => {
        const first = await verify();
        await db.dataSource.transaction((m) => recordAuditVerification(m, first, 'test', new Date(), 1));
        const [, middle] = await twoMore();
        const incremental = () =>
          verifyAuditChainIncrementally(db.dataSource, { verifierKey: key.verifierKey, batchSize: 4 });
        assert.equal((await incremental()).broken, undefined);
        await asInsider(db, ['log_checkpoints'], (c) =>
          c.query("UPDATE log_checkpoints SET root_hash = sha256('x'::bytea) WHERE tree_size = 12"),
        );
        const result = await incremental();
        assert.deepEqual(
          [result.mode, ...named(result)],
          ['incremental', 'checkpoint_signature', nth(11), 12, middle?.signedAt.toISOString()],
        );
      });

      it('incrementally: names a checkpoint signed since whose root the stored tree can no longer make (a node gone)', async () => {
        const first = await verify();
        await db.dataSource.transaction((m) => recordAuditVerification(m, first, 'test', new Date(), 1));
        const [, middle] = await twoMore();
        // The root of 12 leaves is the subtree of leaves 0-7 and that of leaves 8-11 (level 2, index 2).
        await asInsider(db, ['merkle_nodes'], (c) =>
          c.query('DELETE FROM merkle_nodes WHERE level = 2 AND index = 2'),
        );
        const result = await verifyAuditChainIncrementally(db.dataSource, {
          verifierKey: key.verifierKey,
          batchSize: 4,
        });
        assert.deepEqual(
          [result.mode, ...named(result)],
          ['incremental', 'checkpoint_mismatch', nth(11), 12, middle?.signedAt.toISOString()],
        );
      });
    });

    it('incrementally: checks the new events’ leaves and the stored tree against the checkpoint', async () => {
      const first = await verify();
      await db.dataSource.transaction((m) => recordAuditVerification(m, first, 'test', new Date(), 1));
      await append(db, 4, 100);
      const intact = await verifyAuditChainIncrementally(db.dataSource, { verifierKey: key.verifierKey });
      assert.deepEqual(
        [intact.mode, intact.broken, intact.checkpoint?.treeSize],
        ['incremental', undefined, 10],
      );
      // A new event's leaf node changed: the incremental run recomputes it.
      await asInsider(db, ['merkle_nodes'], (c) =>
        c.query(`UPDATE merkle_nodes SET hash = sha256('x'::bytea) WHERE level = 0 AND index = 12`),
      );
      const broken = await verifyAuditChainIncrementally(db.dataSource, { verifierKey: key.verifierKey });
      const thirteenth = (await eventsInChainOrder(db))[12]?.id;
      assert.deepEqual([broken.broken?.problem, broken.broken?.id], ['leaf_mismatch', thirteenth]);
    });
  });
});
