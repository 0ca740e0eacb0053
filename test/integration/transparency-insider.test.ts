import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runMonitor } from '../../monitor/monitor';
import { appendAuditEvents, verifyAuditChain } from '../../src/audit/audit.service';
import { verificationReport } from '../../src/audit/verification-report';
import { seedDemoData } from '../../src/seed/demo';
import { must } from '../../src/shared/must';
import { signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { loadLogKey } from '../../src/transparency/log-key';
import { testApp, testConfig, testKeyring } from '../helpers/app';
import { createTestDatabase, type TestDatabase, testSigner } from '../helpers/database';
import { rebuildMerkleTree, removeLastEvents, rewriteEvents, swapEvents } from '../helpers/insider';
import { eventsInChainOrder } from '../helpers/merkle';
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

/**
 * The monitor's verdict: exit code and its one line (or its error). Its clock stands a minute past
 * the latest time the tests sign at (a quiet register's daily checkpoint), so the checkpoint of T0 is
 * never stale here: these cases are about rewritten history, not a stopped signer.
 */
async function monitor(url: string, state: string): Promise<{ code: number; line: string }> {
  const lines: string[] = [];
  const code = await runMonitor(
    [url, '--key', key.verifierKey, '--state', state],
    {
      out: (line) => lines.push(line),
      err: (line) => lines.push(line),
    },
    () => after(86_400 + 60),
  );
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

/** The last three events removed (triggers off), and with `tree` their leaves and nodes too. */
function removesLastThree(tree: boolean): Case {
  return {
    name: tree
      ? 'removes the last three events and their leaves and nodes (triggers off)'
      : 'removes the last three events (triggers off), leaving their leaves and nodes',
    tamper: (db) => removeLastEvents(db, 3, tree),
    carriesOn: false,
    // Left untouched, the stored tree is the one the daily checkpoint vouches for again: signed.
    signer: tree ? 'refused' : 'signed',
    monitorSays: (size) =>
      new RegExp(
        `^FAIL .*: the log does not serve tile/${tree ? '' : 'entries/'}\\S+, which its checkpoint of size ${size} requires$`,
      ),
    verifySays: (size, events, signedAt) => ({
      problem: 'log_shrank',
      at: idAt(events, -4),
      report: new RegExp(
        `^Audit log BROKEN at event ${idAt(events, -4)} \\(the log ends here, but the checkpoint signed at ${signedAt} holds ${size.toLocaleString('en-GB')} events: events were removed\\)`,
      ),
    }),
  };
}

/**
 * Events rewritten and their chain hashes recomputed, the tree left as it was: the leaf at `leaf`
 * (the first rewritten event's) no longer matches its content. The tree itself is untouched, so the
 * next checkpoint is consistent with the last one: signed.
 */
function leavingTheTree(
  name: string,
  tamper: Case['tamper'],
  leaf: (size: number, events: Events) => number,
): Case {
  return {
    name,
    tamper,
    carriesOn: true,
    signer: 'signed',
    monitorSays: (size, events) =>
      new RegExp(`^FAIL .*: leaf ${leaf(size, events)}: content does not hash to what the tree holds$`),
    verifySays: (size, events) => ({
      problem: 'leaf_mismatch',
      at: idAt(events, leaf(size, events)),
      report: new RegExp(
        `^Audit log BROKEN at event ${idAt(events, leaf(size, events))} \\(its leaf in the transparency log is not the one its content makes`,
      ),
    }),
  };
}

/** The same, and the Merkle tree rebuilt to match: its root is no longer the checkpoint's. */
function rebuildingTheTree(name: string, tamper: Case['tamper']): Case {
  return {
    name,
    tamper: async (db, events) => {
      await tamper(db, events);
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
  };
}

const rewriteMiddle = (db: TestDatabase) =>
  rewriteEvents(db, (events) => {
    const i = middle(events);
    must(events[i], 'the middle event').actor = 'insider@example.org';
    return i;
  });
const swapAroundMiddle = (db: TestDatabase) =>
  rewriteEvents(db, (events) => swapEvents(events, middle(events) - 5, middle(events) + 5));

const CASES: Case[] = [
  removesLastThree(false),
  removesLastThree(true),
  leavingTheTree(
    'rewrites an event in the middle and recomputes every later chain hash, leaving the tree',
    rewriteMiddle,
    (_size, events) => middle(events),
  ),
  // Both monitors read the last, partial bundle again: both fail.
  leavingTheTree(
    'rewrites an event in the last, partial entry bundle and recomputes the later chain hashes, leaving the tree',
    (db) =>
      rewriteEvents(db, (events) => {
        must(events.at(-10), 'the tenth event from the end').actor = 'insider@example.org';
        return events.length - 10;
      }),
    (size) => size - 10,
  ),
  rebuildingTheTree(
    'rewrites an event in the middle, recomputes every later chain hash and rebuilds the Merkle tree to match',
    rewriteMiddle,
  ),
  leavingTheTree(
    'swaps two events and recomputes the chain hashes, leaving the tree',
    swapAroundMiddle,
    (_size, events) => middle(events) - 5,
  ),
  rebuildingTheTree(
    'swaps two events, recomputes the chain hashes and rebuilds the Merkle tree to match',
    swapAroundMiddle,
  ),
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
      const signed = await signCheckpointIfDue(db.dataSource, testSigner(db), T0, INTERVAL);
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
          `OK ${key.origin} size ${size} (+${size} leaves) root ${signed.outcome === 'signed' ? signed.rootHash.toString('base64') : ''} signed at ${T0.toISOString().replace('.000Z', 'Z')}`,
        ],
      );
      const intact = await verifyAuditChain(db.dataSource, { verifierKey: key.verifierKey });
      assert.deepEqual([intact.broken, intact.checkpoint?.treeSize], [undefined, size]);

      await c.tamper(db, events);
      if (c.carriesOn) await registerCarriesOn(db, 2);
      const checkpoints = await checkpointCount(db);
      // Where the register would sign: the interval passed (it grew) or, quiet, a day later.
      const next = await signCheckpointIfDue(
        db.dataSource,
        testSigner(db),
        after(c.carriesOn ? 60 : 86_400),
        INTERVAL,
      );
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
    assert.equal((await signCheckpointIfDue(db.dataSource, testSigner(db), T0, INTERVAL)).outcome, 'signed');
    const events = await eventsInChainOrder(db);
    await rewriteMiddle(db);
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
