import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { runMonitor } from '../../monitor/monitor';
import { appendAuditEvents, verifyAuditChain } from '../../src/audit/audit.service';
import { chainHash, GENESIS_HASH } from '../../src/audit/audit-chain';
import { verificationReport } from '../../src/audit/verification-report';
import { seedDemoData } from '../../src/seed/demo';
import { must } from '../../src/shared/must';
import { signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { loadLogKey } from '../../src/transparency/log-key';
import { testApp, testConfig, testKeyring } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { eventsInChainOrder, rebuildMerkleTree } from '../helpers/merkle';
import { runCli } from '../helpers/processes';

/**
 * The whole chain of trust against an insider: the real app, listening on a port, on a database
 * with the demo register's history and a signed checkpoint; the real monitor, run before and after
 * the database owner (not a superuser, and without the log key) rewrites the history; the
 * register's own checkpoint signer run where the register would; and `audit:verify --full`.
 */

const key = loadLogKey(testConfig);
const INTERVAL = { intervalSeconds: 30 };
const T0 = new Date(Date.UTC(2026, 10, 30, 12, 0, 0));
const after = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

type Events = Awaited<ReturnType<typeof eventsInChainOrder>>;

/** Runs `statements` as the database owner in one transaction, with every trigger of `tables` off. */
async function asInsider(
  db: TestDatabase,
  tables: readonly string[],
  work: (client: Client) => Promise<void>,
): Promise<void> {
  const client = new Client({ connectionString: db.ownerUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const table of tables) await client.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
    await work(client);
    for (const table of tables) await client.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * Changes events (as the owner, triggers off) and recomputes the chain hash of every event from
 * the first changed one on, so that the chain is intact in itself.
 */
async function rewriteEvents(db: TestDatabase, change: (events: Events) => number): Promise<void> {
  const events = await eventsInChainOrder(db);
  const first = change(events);
  await asInsider(db, ['audit_events'], async (client) => {
    // The chain goes on from the stored hash of the event before the first changed one (untouched).
    let prev = GENESIS_HASH;
    if (first > 0) {
      const { rows } = await client.query<{ hash: string }>('SELECT hash FROM audit_events WHERE id = $1', [
        must(events[first - 1], 'the event before').id,
      ]);
      prev = must(rows[0], 'its row').hash;
    }
    for (const event of events.slice(first)) {
      const hash = chainHash(prev, event);
      await client.query(
        `UPDATE audit_events SET actor = $2, action = $3, subject_type = $4, subject_id = $5, data = $6,
                occurred_at = $7, prev_hash = $8, hash = $9 WHERE id = $1`,
        [
          event.id,
          event.actor,
          event.action,
          event.subjectType,
          event.subjectId,
          event.data,
          event.occurredAt,
          prev,
          hash,
        ],
      );
      prev = hash;
    }
  });
}

/** Removes the last `count` events, and with `tree` also their leaves and every node that covers one. */
async function removeLastEvents(db: TestDatabase, count: number, tree: boolean): Promise<void> {
  const events = await eventsInChainOrder(db);
  const kept = events.length - count;
  const lastKept = must(events[kept - 1], 'an event kept').id;
  const tables = tree ? ['audit_events', 'merkle_leaves', 'merkle_nodes'] : ['audit_events'];
  await asInsider(db, tables, async (client) => {
    await client.query('DELETE FROM audit_events WHERE id > $1', [lastKept]);
    if (!tree) return;
    await client.query('DELETE FROM merkle_leaves WHERE leaf_index >= $1', [kept]);
    // A node of level L, index i covers leaves i·2^L .. (i+1)·2^L - 1.
    await client.query('DELETE FROM merkle_nodes WHERE (index + 1) * (2::bigint ^ level)::bigint > $1', [
      kept,
    ]);
  });
}

/** The register carries on: `count` more events, appended as the app appends them. */
async function registerCarriesOn(db: TestDatabase, count: number): Promise<void> {
  await db.dataSource.transaction((m) =>
    appendAuditEvents(
      m,
      new Date(),
      Array.from({ length: count }, (_, i) => ({
        actor: 'system',
        action: 'test.after_insider',
        subjectType: 'test',
        subjectId: String(i),
      })),
    ),
  );
}

async function checkpointCount(db: TestDatabase): Promise<number> {
  const [row] = await db.dataSource.query<{ count: number }[]>(
    'SELECT count(*)::int AS count FROM log_checkpoints',
  );
  return row?.count ?? 0;
}

/** The monitor's verdict: exit code and its one line (or its error). */
async function monitor(url: string, state: string): Promise<{ code: number; line: string }> {
  const lines: string[] = [];
  const code = await runMonitor([url, '--key', key.verifierKey, '--state', state], {
    out: (line) => lines.push(line),
    err: (line) => lines.push(line),
  });
  return { code, line: lines.join('\n') };
}

interface Case {
  name: string;
  tamper(db: TestDatabase, events: Events): Promise<void>;
  /** Whether the register appends events after the insider (else it is quiet, and signs its daily checkpoint). */
  carriesOn: boolean;
  /** What the signer does next: sign a new checkpoint, or refuse (and record nothing). */
  signer: 'signed' | 'refused';
  /** What a monitor that never saw the log says (exit 1). */
  monitorSays: (size: number, events: Events) => RegExp;
  /** Which break audit:verify --full finds, at which event, and how its report says it (`signedAt`: of the latest checkpoint). */
  verifySays: (
    size: number,
    events: Events,
    signedAt: string,
  ) => { problem: string; at: string; report: RegExp };
}

const middle = (events: Events) => Math.floor(events.length / 2);
const idAt = (events: Events, i: number) => must(events.at(i), `event ${i}`).id;

/** Swaps the content of events i and j (each keeps its id: the chain order is the id order). */
function swap(events: Events, i: number, j: number): number {
  const a = must(events[i], 'event i');
  const b = must(events[j], 'event j');
  const { id: idA, ...contentA } = a;
  const { id: idB, ...contentB } = b;
  Object.assign(a, contentB, { id: idA });
  Object.assign(b, contentA, { id: idB });
  return Math.min(i, j);
}

const CASES: Case[] = [
  {
    name: 'removes the last three events (triggers off), leaving their leaves and nodes',
    tamper: (db) => removeLastEvents(db, 3, false),
    carriesOn: false,
    // The stored tree is untouched: the daily checkpoint vouches for the same tree.
    signer: 'signed',
    monitorSays: (size) =>
      new RegExp(
        `^FAIL .*: the log does not serve tile/entries/\\S+, which its checkpoint of size ${size} requires$`,
      ),
    verifySays: (size, events, signedAt) => ({
      problem: 'log_shrank',
      at: idAt(events, -4),
      report: new RegExp(
        `^Audit log BROKEN at event ${idAt(events, -4)} \\(the log ends here, but the checkpoint signed at ${signedAt} holds ${size.toLocaleString('en-GB')} events: events were removed\\)`,
      ),
    }),
  },
  {
    name: 'removes the last three events and their leaves and nodes (triggers off)',
    tamper: (db) => removeLastEvents(db, 3, true),
    carriesOn: false,
    signer: 'refused',
    monitorSays: (size) =>
      new RegExp(
        `^FAIL .*: the log does not serve tile/\\S+, which its checkpoint of size ${size} requires$`,
      ),
    verifySays: (size, events, signedAt) => ({
      problem: 'log_shrank',
      at: idAt(events, -4),
      report: new RegExp(
        `^Audit log BROKEN at event ${idAt(events, -4)} \\(the log ends here, but the checkpoint signed at ${signedAt} holds ${size.toLocaleString('en-GB')} events: events were removed\\)`,
      ),
    }),
  },
  {
    name: 'rewrites an event in the middle and recomputes every later chain hash, leaving the tree',
    tamper: (db) =>
      rewriteEvents(db, (events) => {
        const i = middle(events);
        must(events[i], 'the middle event').actor = 'insider@example.org';
        return i;
      }),
    carriesOn: true,
    // The tree is untouched, so the next checkpoint is consistent with the last one: signed.
    signer: 'signed',
    monitorSays: (_size, events) =>
      new RegExp(`^FAIL .*: leaf ${middle(events)}: content does not hash to what the tree holds$`),
    verifySays: (_size, events) => ({
      problem: 'leaf_mismatch',
      at: idAt(events, middle(events)),
      report: new RegExp(
        `^Audit log BROKEN at event ${idAt(events, middle(events))} \\(its leaf in the transparency log is not the one its content makes`,
      ),
    }),
  },
  {
    name: 'rewrites an event in the last, partial entry bundle and recomputes the later chain hashes, leaving the tree',
    tamper: (db) =>
      rewriteEvents(db, (events) => {
        must(events.at(-10), 'the tenth event from the end').actor = 'insider@example.org';
        return events.length - 10;
      }),
    carriesOn: true,
    signer: 'signed',
    // Both monitors read this bundle again: both fail.
    monitorSays: (size) =>
      new RegExp(`^FAIL .*: leaf ${size - 10}: content does not hash to what the tree holds$`),
    verifySays: (size, events) => ({
      problem: 'leaf_mismatch',
      at: idAt(events, size - 10),
      report: new RegExp(`^Audit log BROKEN at event ${idAt(events, size - 10)} \\(its leaf`),
    }),
  },
  {
    name: 'rewrites an event in the middle, recomputes every later chain hash and rebuilds the Merkle tree to match',
    tamper: async (db) => {
      await rewriteEvents(db, (events) => {
        const i = middle(events);
        must(events[i], 'the middle event').actor = 'insider@example.org';
        return i;
      });
      await rebuildMerkleTree(db);
    },
    carriesOn: true,
    signer: 'refused',
    monitorSays: (size) =>
      new RegExp(`^FAIL .*: the log's tiles do not rebuild the root of its checkpoint of size ${size}$`),
    verifySays: (size, events, signedAt) => ({
      problem: 'checkpoint_mismatch',
      at: idAt(events, size - 1),
      report: new RegExp(
        `^Audit log BROKEN at event ${idAt(events, size - 1)} \\(the tree of the first ${size.toLocaleString('en-GB')} events is not the one the checkpoint signed at ${signedAt} vouches for`,
      ),
    }),
  },
  {
    name: 'swaps two events and recomputes the chain hashes, leaving the tree',
    tamper: (db) => rewriteEvents(db, (events) => swap(events, middle(events) - 5, middle(events) + 5)),
    carriesOn: true,
    signer: 'signed',
    monitorSays: (_size, events) =>
      new RegExp(`^FAIL .*: leaf ${middle(events) - 5}: content does not hash to what the tree holds$`),
    verifySays: (_size, events) => ({
      problem: 'leaf_mismatch',
      at: idAt(events, middle(events) - 5),
      report: new RegExp(`^Audit log BROKEN at event ${idAt(events, middle(events) - 5)} \\(its leaf`),
    }),
  },
  {
    name: 'swaps two events, recomputes the chain hashes and rebuilds the Merkle tree to match',
    tamper: async (db) => {
      await rewriteEvents(db, (events) => swap(events, middle(events) - 5, middle(events) + 5));
      await rebuildMerkleTree(db);
    },
    carriesOn: true,
    signer: 'refused',
    monitorSays: (size) =>
      new RegExp(`^FAIL .*: the log's tiles do not rebuild the root of its checkpoint of size ${size}$`),
    verifySays: (size, events, signedAt) => ({
      problem: 'checkpoint_mismatch',
      at: idAt(events, size - 1),
      report: new RegExp(
        `^Audit log BROKEN at event ${idAt(events, size - 1)} \\(the tree of the first ${size.toLocaleString('en-GB')} events is not the one the checkpoint signed at ${signedAt} vouches for`,
      ),
    }),
  },
];

describe('the transparency log against an insider with the database owner role (real app, real monitor)', function () {
  let db: TestDatabase;
  let server: Server;
  let url: string;
  let folder: string;

  beforeEach(async () => {
    db = await createTestDatabase();
    await seedDemoData(db.dataSource, { now: new Date(), config: testConfig, keyring: testKeyring });
    // The demo's ~200 events and more: a history over more than two entry bundles (256 leaves each).
    await registerCarriesOn(db, 400);
    const { app } = testApp(db.dataSource);
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    folder = mkdtempSync(path.join(os.tmpdir(), 'vhp-insider-'));
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(folder, { recursive: true, force: true });
    await db.drop();
  });

  for (const c of CASES) {
    it(`the insider ${c.name}: the monitor, the signer and audit:verify each say so`, async () => {
      // Before: a signed checkpoint over the demo history, which the monitor and audit:verify accept.
      const signed = await signCheckpointIfDue(db.dataSource, key, T0, INTERVAL);
      assert.equal(signed.outcome, 'signed');
      const size = signed.outcome === 'signed' ? signed.treeSize : 0;
      const events = await eventsInChainOrder(db);
      assert.equal(events.length, size);
      assert.ok(size > 256, `the demo history spans more than one entry bundle (${size} events)`);
      const state = path.join(folder, 'monitor.json');
      const before = await monitor(url, state);
      assert.deepEqual(
        [before.code, before.line],
        [
          0,
          `OK ${key.origin} size ${size} (+${size} leaves) root ${signed.outcome === 'signed' ? signed.rootHash.toString('base64') : ''}`,
        ],
      );
      const intact = await verifyAuditChain(db.dataSource, { verifierKey: key.verifierKey });
      assert.deepEqual([intact.broken, intact.checkpoint?.treeSize], [undefined, size]);

      await c.tamper(db, events);
      if (c.carriesOn) await registerCarriesOn(db, 2);
      const checkpoints = await checkpointCount(db);
      // Where the register would sign: the interval passed (it grew) or, quiet, a day later.
      const next = await signCheckpointIfDue(db.dataSource, key, after(c.carriesOn ? 60 : 86_400), INTERVAL);
      assert.equal(next.outcome, c.signer, next.outcome === 'refused' ? next.reason : next.outcome);
      if (next.outcome === 'refused') {
        assert.match(
          next.reason,
          c.name.startsWith('removes') ? /fewer than the/ : /is not the root of the checkpoint/,
        );
        assert.equal(await checkpointCount(db), checkpoints, 'a refusal records no checkpoint');
      } else {
        assert.equal(await checkpointCount(db), checkpoints + 1);
      }

      // After: the monitor that saw the log before, and one that never saw it.
      const expected = c.monitorSays(size, events);
      const afterwards = await monitor(url, state);
      assert.equal(afterwards.code, 1, afterwards.line);
      assert.match(afterwards.line, expected);
      const fresh = await monitor(url, path.join(folder, 'fresh.json'));
      assert.equal(fresh.code, 1, fresh.line);
      assert.match(fresh.line, expected);

      // audit:verify --full, the function the command calls and its report.
      const says = c.verifySays(
        size,
        events,
        (next.outcome === 'signed' ? after(c.carriesOn ? 60 : 86_400) : T0).toISOString(),
      );
      const result = await verifyAuditChain(db.dataSource, { verifierKey: key.verifierKey });
      assert.deepEqual([result.broken?.problem, result.broken?.id], [says.problem, says.at]);
      const [report = ''] = verificationReport(result, 'full', 1);
      assert.match(report, says.report);
    });
  }

  it('the command line audit:verify --full reports the break too (exit 1)', async () => {
    assert.equal((await signCheckpointIfDue(db.dataSource, key, T0, INTERVAL)).outcome, 'signed');
    const events = await eventsInChainOrder(db);
    await rewriteEvents(db, (list) => {
      must(list[middle(list)], 'the middle event').actor = 'insider@example.org';
      return middle(list);
    });
    await rebuildMerkleTree(db);
    const run = runCli(['audit:verify', '--full'], {
      DATABASE_URL: db.url,
      MIGRATION_DATABASE_URL: db.ownerUrl,
      // The same log key and origin as the app's: the development key under the tests' data folder.
      PUBLIC_BASE_URL: testConfig.publicBaseUrl,
      DATA_DIR: testConfig.dataDir,
    });
    assert.equal(run.status, 1, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(
        `Audit log BROKEN at event ${idAt(events, -1)} \\(the tree of the first ${events.length.toLocaleString('en-GB')} events is not the one the checkpoint signed at ${T0.toISOString()} vouches for`,
      ),
    );
  });
});
