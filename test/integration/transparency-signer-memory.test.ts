import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { runMonitor } from '../../monitor/monitor';
import {
  appendAuditEvents,
  recordAuditVerification,
  verifyAuditChain,
  verifyAuditChainIncrementally,
} from '../../src/audit/audit.service';
import { verificationReport } from '../../src/audit/verification-report';
import { seedDemoData } from '../../src/seed/demo';
import { must } from '../../src/shared/must';
import { signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { loadLogKey } from '../../src/transparency/log-key';
import { addMonths } from '../../src/shared/time';
import { givenApproval, givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { givenIssuedAttestation, testApp, testConfig, testKeyring } from '../helpers/app';
import { asInsider, createTestDatabase, type TestDatabase, testSigner } from '../helpers/database';
import { rebuildMerkleTree, removeLastEvents, rewriteEvents } from '../helpers/insider';
import { eventsInChainOrder } from '../helpers/merkle';
import { runCli } from '../helpers/processes';
import { type Agent, signedIn } from '../helpers/session';

/**
 * An insider with the database owner role (no access to DATA_DIR, where the signer keeps what it
 * last signed) removes checkpoints with the history: audit:verify, the auditors' chain check,
 * /transparantie, /transparantie/checkpoint, a fresh monitor and a pending attestation's page all
 * go by the signer's memory, not by the database alone.
 */

const key = loadLogKey(testConfig);
const INTERVAL = { intervalSeconds: 30 };
const T0 = new Date(Date.UTC(2026, 10, 30, 12, 0, 0));
const after = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

async function carryOn(db: TestDatabase, count: number): Promise<void> {
  await db.dataSource.transaction((m) =>
    appendAuditEvents(
      m,
      new Date(),
      Array.from({ length: count }, (_, i) => ({
        actor: 'system',
        action: 'test.signer_memory',
        subjectType: 'test',
        subjectId: String(i),
      })),
    ),
  );
}

/** The insider removes checkpoints (and every verification record) from the database. */
async function removeCheckpoints(db: TestDatabase, largerThan: number): Promise<void> {
  await asInsider(db, ['log_checkpoints', 'audit_verifications'], async (client) => {
    await client.query('DELETE FROM log_checkpoints WHERE tree_size > $1', [largerThan]);
    await client.query('DELETE FROM audit_verifications');
  });
}

async function signed(db: TestDatabase, at: Date) {
  const outcome = await signCheckpointIfDue(db.dataSource, testSigner(db), at, INTERVAL);
  assert.equal(outcome.outcome, 'signed', outcome.outcome === 'refused' ? outcome.reason : outcome.outcome);
  return outcome;
}

const cli = (db: TestDatabase, args: string[]) =>
  runCli(['audit:verify', ...args], {
    DATABASE_URL: db.url,
    MIGRATION_DATABASE_URL: db.ownerUrl,
    PUBLIC_BASE_URL: testConfig.publicBaseUrl,
    DATA_DIR: testConfig.dataDir,
  });

describe("the signer's memory against an insider who removes checkpoints (real app, real monitor)", function () {
  let db: TestDatabase;
  let server: Server;
  /** The server this test's set-up started, if it got that far. */
  let started: Server | undefined;
  let url: string;
  let folder: string;
  let auditor: Agent;

  async function freshMonitor(): Promise<{ code: number; line: string }> {
    const lines: string[] = [];
    const code = await runMonitor(
      [url, '--key', key.verifierKey, '--state', path.join(folder, `fresh-${Date.now()}.json`)],
      { out: (line) => lines.push(line), err: (line) => lines.push(line) },
      () => after(3600),
    );
    return { code, line: lines.join('\n') };
  }

  const remembered = () => must(testSigner(db).memory.recall(), 'the signer remembers a checkpoint');
  const verifyFull = () =>
    verifyAuditChain(db.dataSource, { verifierKey: key.verifierKey, remembered: remembered() });

  beforeEach(async function () {
    // The demo register and a hundred more events: a minute on a busy machine.
    this.timeout(60_000);
    db = await createTestDatabase();
    await seedDemoData(db.dataSource, { now: new Date(), config: testConfig, keyring: testKeyring });
    await carryOn(db, 100);
    const { app } = testApp(db.dataSource);
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    started = server;
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    folder = mkdtempSync(path.join(os.tmpdir(), 'vhp-memory-'));
    auditor = await signedIn(app, await givenUser(db.dataSource, 'auditor'));
  });
  afterEach(async () => {
    // After a set-up that failed half-way, only what it made is taken down.
    const listening = started;
    started = undefined;
    if (listening) await new Promise((resolve) => listening.close(resolve));
    if (folder) rmSync(folder, { recursive: true, force: true });
    await db?.drop();
  });

  it('the last three events removed with their leaves, nodes, checkpoint and verifications: log_shrank everywhere, the remembered checkpoint served', async () => {
    const first = await signed(db, T0);
    await carryOn(db, 3);
    const last = await signed(db, after(60));
    assert.equal(last.treeSize, first.treeSize + 3);
    const events = await eventsInChainOrder(db);

    await removeLastEvents(db, 3, true);
    await removeCheckpoints(db, first.treeSize);

    // Without the signer's memory the database vouches for itself, as before.
    const blind = await verifyAuditChain(db.dataSource, { verifierKey: key.verifierKey });
    assert.deepEqual([blind.broken, blind.checkpoint?.treeSize], [undefined, first.treeSize]);
    // With it: the log is shorter than what the signer signed.
    const result = await verifyFull();
    assert.deepEqual(
      [result.broken?.problem, result.broken?.id, result.broken?.checkpoint?.treeSize],
      ['log_shrank', must(events.at(-4), 'the last event kept').id, last.treeSize],
    );
    assert.equal(
      verificationReport(result, 'full', 1)[0],
      `Audit log BROKEN at event ${must(events.at(-4), 'kept').id} (the log ends here, but the checkpoint the signer last signed (signed at ${after(60).toISOString()}; not in the database) holds ${last.treeSize.toLocaleString('en-GB')} events: events were removed); ${first.treeSize.toLocaleString('en-GB')} events checked.`,
    );
    // The command line, incremental (no verification left to continue from: the whole log) and full.
    for (const args of [[], ['--full']]) {
      const run = cli(db, args);
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stdout, /the log ends here, but the checkpoint the signer last signed/);
    }

    const page = await auditor.get('/beheer/auditlog/controle').expect(200);
    assert.match(page.text, /data-chain="broken"/);
    const log = await request(server).get('/transparantie').expect(200);
    assert.match(log.text, /data-log-disagrees/);
    assert.match(log.text, new RegExp(`data-checkpoint-size="${last.treeSize}"`));
    const served = await request(server).get('/transparantie/checkpoint').expect(200);
    assert.equal(served.text, last.note);

    const monitor = await freshMonitor();
    assert.equal(monitor.code, 1, monitor.line);
    assert.match(
      monitor.line,
      new RegExp(
        `^FAIL .*: the log does not serve tile/\\S+, which its checkpoint of size ${last.treeSize} requires$`,
      ),
    );
  });

  it('an event in the middle rewritten, the tree rebuilt and every checkpoint deleted: checkpoint_mismatch, no "no checkpoint yet"', async () => {
    const first = await signed(db, T0);
    await rewriteEvents(db, (events) => {
      const i = Math.floor(events.length / 2);
      must(events[i], 'the middle event').actor = 'insider@example.org';
      return i;
    });
    await rebuildMerkleTree(db);
    await removeCheckpoints(db, -1);
    const events = await eventsInChainOrder(db);

    const blind = await verifyAuditChain(db.dataSource, { verifierKey: key.verifierKey });
    assert.deepEqual([blind.broken, blind.checkpoint], [undefined, undefined]);
    const result = await verifyFull();
    assert.deepEqual(
      [result.broken?.problem, result.broken?.id, result.broken?.checkpoint?.remembered],
      ['checkpoint_mismatch', must(events.at(-1), 'the last').id, true],
    );
    const run = cli(db, ['--full']);
    assert.equal(run.status, 1, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(
        `the tree of the first ${first.treeSize.toLocaleString('en-GB')} events is not the one the checkpoint the signer last signed \\(signed at ${T0.toISOString()}; not in the database\\) vouches for`,
      ),
    );

    const page = await auditor.get('/beheer/auditlog/controle').expect(200);
    assert.match(page.text, /data-chain="broken"/);
    assert.doesNotMatch(page.text, /data-checkpoint-size="none"/);
    const log = await request(server).get('/transparantie').expect(200);
    assert.match(log.text, /data-log-disagrees/);
    assert.doesNotMatch(log.text, /Er is nog geen checkpoint/);
    const served = await request(server).get('/transparantie/checkpoint').expect(200);
    assert.equal(served.text, first.note);
    const monitor = await freshMonitor();
    assert.equal(monitor.code, 1, monitor.line);
    assert.match(
      monitor.line,
      new RegExp(
        `^FAIL .*: the log's tiles do not rebuild the root of its checkpoint of size ${first.treeSize}$`,
      ),
    );
  });

  it('only the latest checkpoint removed: checkpoint_missing, full and incremental; the signer refuses, /transparantie says so and a new attestation is promised no time', async () => {
    const first = await signed(db, T0);
    // An intact full run the incremental one continues from.
    const intact = await verifyFull();
    assert.deepEqual([intact.broken, intact.checkpoint?.treeSize], [undefined, first.treeSize]);
    await db.dataSource.transaction((m) => recordAuditVerification(m, intact, 'test', T0, 1));
    await carryOn(db, 2);
    const last = await signed(db, after(60));
    await asInsider(db, ['log_checkpoints'], (client) =>
      client.query('DELETE FROM log_checkpoints WHERE tree_size = $1', [last.treeSize]),
    );
    const events = await eventsInChainOrder(db);

    const full = await verifyFull();
    assert.deepEqual(
      [full.broken?.problem, full.broken?.id],
      ['checkpoint_missing', must(events.at(last.treeSize - 1), 'its last event').id],
    );
    assert.equal(
      verificationReport(full, 'full', 1)[0],
      `Audit log BROKEN at event ${must(events.at(last.treeSize - 1), 'its last event').id} (the checkpoint the signer last signed — ${last.treeSize.toLocaleString('en-GB')} events, signed at ${after(60).toISOString()} — is not in the database: checkpoints were removed); ${events.length.toLocaleString('en-GB')} events checked.`,
    );
    const incremental = await verifyAuditChainIncrementally(db.dataSource, {
      verifierKey: key.verifierKey,
      remembered: remembered(),
    });
    assert.deepEqual([incremental.mode, incremental.broken?.problem], ['incremental', 'checkpoint_missing']);
    const run = cli(db, []);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /is not in the database: checkpoints were removed/);
    const page = await auditor.get('/beheer/auditlog/controle?lang=en').expect(200);
    assert.match(page.text, /data-chain="broken"/);
    assert.match(
      page.text,
      /The checkpoint the signer last signed — \d+ events, signed .+ — is not in the database/,
    );
    await auditor.get('/beheer/auditlog/controle?lang=nl').expect(200);

    // The signer refuses; /transparantie says when, not why.
    const refused = await signCheckpointIfDue(db.dataSource, testSigner(db), after(120), {
      ...INTERVAL,
      asked: true,
    });
    assert.equal(refused.outcome, 'refused');
    const log = await request(server).get('/transparantie').expect(200);
    assert.match(log.text, new RegExp(`data-log-refused="${after(120).toISOString()}"`));
    assert.doesNotMatch(log.text, /log_checkpoints/);

    // A new attestation: not in a checkpoint, and no time is promised.
    const provider = await givenProvider(db.dataSource);
    // The newest code of conduct (the demo's are older), so the provider is verantwoord now.
    const version = await givenCodeVersion(db.dataSource, { publishedAt: addMonths(new Date(), -2) });
    await givenApproval(db.dataSource, provider, version, addMonths(new Date(), -1));
    const attestation = await givenIssuedAttestation(db.dataSource, provider.id);
    const html = await request(server).get(`/verificatie/${attestation.number}?lang=nl`).expect(200);
    assert.match(html.text, /data-pending-behind/);
    assert.match(html.text, /het transparantielog loopt achter/);
    assert.doesNotMatch(html.text, /binnen ongeveer/);
    const api = await request(server)
      .get(`/api/v1/verklaringen/${attestation.number}`)
      .set('Accept-Language', 'en')
      .expect(200);
    assert.match(
      (api.body as { transparantielog: { melding: string } }).transparantielog.melding,
      /the transparency log is behind/,
    );
    const proofFile = await request(server).get(`/verificatie/${attestation.number}/bewijs`);
    assert.equal(proofFile.status, 404);
    assert.match(proofFile.text, /the transparency log is behind/);
  });

  it('with the checkpoints intact, audit:verify agrees with the newest of database and memory, and a new attestation is promised its time', async () => {
    const first = await signed(db, T0);
    const result = await verifyFull();
    assert.deepEqual([result.broken, result.checkpoint?.treeSize], [undefined, first.treeSize]);
    const run = cli(db, ['--full']);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(
      run.stdout,
      new RegExp(`: ${first.treeSize.toLocaleString('en-GB')} events, signed at ${T0.toISOString()}\\.`),
    );
    const log = await request(server).get('/transparantie').expect(200);
    assert.doesNotMatch(log.text, /data-log-disagrees|data-log-refused/);
    assert.equal(
      (await request(server).get('/transparantie/checkpoint').expect(200)).text.startsWith(
        first.note.split('\n\n')[0] ?? '?',
      ),
      true,
    );
  });
});
