import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import {
  type ChainVerification,
  recordAuditVerification,
  verifyAuditChain,
  verifyAuditChainIncrementally,
} from '../../src/audit/audit.service';
import { seedDemoData } from '../../src/seed/demo';
import { must } from '../../src/shared/must';
import { signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { loadLogKey } from '../../src/transparency/log-key';
import {
  givenApproval,
  givenCodeVersion,
  givenProvider,
  givenStatusEvent,
} from '../factories/provider.factory';
import { givenIssuedAttestation, testApp, testConfig, testKeyring } from '../helpers/app';
import { asInsider, createTestDatabase, type TestDatabase, testSigner } from '../helpers/database';
import { runCli } from '../helpers/processes';

/**
 * The register's live tables against its log: the database owner (an insider, not a superuser,
 * without the log key) removes, adds or changes a status change or an attestation behind the log,
 * leaving the log itself intact. `audit:verify` (full, incremental and the command) must name it.
 */

const { verifierKey } = loadLogKey(testConfig);
const T0 = new Date(Date.UTC(2026, 10, 30, 12, 0, 0));

const cli = (db: TestDatabase, full: boolean) =>
  runCli(['audit:verify', ...(full ? ['--full'] : [])], {
    DATABASE_URL: db.url,
    MIGRATION_DATABASE_URL: db.ownerUrl,
    PUBLIC_BASE_URL: testConfig.publicBaseUrl,
    DATA_DIR: testConfig.dataDir,
  });

/** Records an intact full verification: the anchor an incremental run continues from. */
async function anchorHere(db: TestDatabase): Promise<ChainVerification> {
  const result = await verifyAuditChain(db.dataSource, { verifierKey });
  assert.equal(result.broken, undefined, JSON.stringify(result.broken));
  await db.dataSource.transaction((m) => recordAuditVerification(m, result, 'test', new Date(), 1));
  return result;
}

async function one<T>(db: TestDatabase, sql: string, params: unknown[] = []): Promise<T> {
  return must((await db.asOwner<T>(sql, params))[0], `a row for ${sql}`);
}

/** The audit event that records status event `id`. */
const statusEventOf = (db: TestDatabase, id: string) =>
  one<{ id: string }>(
    db,
    `SELECT id::text FROM audit_events WHERE action LIKE 'status.%' AND data->>'statusEventId' = $1`,
    [id],
  );

/** The audit event that records the issue of attestation `number`. */
const issueEventOf = (db: TestDatabase, number: string) =>
  one<{ id: string }>(
    db,
    `SELECT e.id::text FROM audit_events e JOIN attestations a ON e.subject_id = a.id::text
      WHERE e.action = 'attestation.issued' AND a.number = $1`,
    [number],
  );

/** Both checks name the break; the command exits 1 and says it; the command's full run, after `undo`, finds the register intact. */
async function expectBreak(
  db: TestDatabase,
  expected: { problem: string; id: string; row: string },
  options: { incremental: boolean },
): Promise<void> {
  const full = await verifyAuditChain(db.dataSource, { verifierKey });
  assert.deepEqual(
    { problem: full.broken?.problem, id: full.broken?.id, row: full.broken?.register?.row },
    expected,
  );
  if (options.incremental) {
    const incremental = await verifyAuditChainIncrementally(db.dataSource, { verifierKey });
    assert.equal(incremental.mode, 'incremental');
    assert.deepEqual(
      {
        problem: incremental.broken?.problem,
        id: incremental.broken?.id,
        row: incremental.broken?.register?.row,
      },
      expected,
    );
    const run = cli(db, false);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`Audit log BROKEN at event ${expected.id}\\b.*${expected.row}`));
  }
  const run = cli(db, true);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, new RegExp(`Audit log BROKEN at event ${expected.id}\\b.*${expected.row}`));
}

/** After the insider's change is undone, a full run of the command finds the register intact again (and clears the break). */
function expectIntactAgain(db: TestDatabase): void {
  const run = cli(db, true);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(
    run.stdout,
    /The register agrees with the log: [0-9,]+ status events and [0-9,]+ attestations/,
  );
}

describe('audit:verify against the register (status changes and attestations the log does not record)', () => {
  let db: TestDatabase;
  let app: Express;

  before(async function () {
    // The demo register is seeded in full (every history the demo tells): a minute on a busy machine.
    this.timeout(60_000);
    db = await createTestDatabase();
    await seedDemoData(db.dataSource, { now: new Date(), config: testConfig, keyring: testKeyring });
    assert.equal(
      (await signCheckpointIfDue(db.dataSource, testSigner(db), T0, { intervalSeconds: 30 })).outcome,
      'signed',
    );
    app = testApp(db.dataSource).app;
  });
  after(() => db.drop());

  it('finds the untouched demo register in agreement with the log, full and incremental, and the command says so', async () => {
    const full = await anchorHere(db);
    const [rows] = await db.asOwner<{ status: number; attestations: number }>(
      'SELECT (SELECT count(*) FROM status_events)::int AS status, (SELECT count(*) FROM attestations)::int AS attestations',
    );
    assert.deepEqual(full.counts, { statusEvents: rows?.status, attestations: rows?.attestations });
    assert.ok((rows?.attestations ?? 0) > 0 && (rows?.status ?? 0) > 0);
    const incremental = await verifyAuditChainIncrementally(db.dataSource, { verifierKey });
    assert.equal(incremental.mode, 'incremental');
    assert.equal(incremental.broken, undefined);
    assert.deepEqual(incremental.counts, full.counts);
    const run = cli(db, false);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /The register agrees with the log/);
  });

  it('finds a revocation deleted from status_events (its status.revoked event still in the log)', async () => {
    await anchorHere(db);
    const row = await one<Record<string, unknown> & { id: string }>(
      db,
      `SELECT s.*, s.id::text AS id FROM status_events s WHERE s.kind = 'revoked' ORDER BY s.id LIMIT 1`,
    );
    const event = await statusEventOf(db, row.id);
    await asInsider(db, ['status_events'], (c) =>
      c.query('DELETE FROM status_events WHERE id = $1', [row.id]),
    );
    try {
      await expectBreak(
        db,
        { problem: 'status_event_missing', id: event.id, row: row.id },
        { incremental: true },
      );
    } finally {
      await asInsider(db, ['status_events'], (c) =>
        c.query(`INSERT INTO status_events SELECT (json_populate_record(NULL::status_events, $1::json)).*`, [
          JSON.stringify(row),
        ]),
      );
    }
    expectIntactAgain(db);
  });

  it('finds a status change inserted behind the log', async () => {
    const anchor = await anchorHere(db);
    const provider = await one<{ id: string }>(
      db,
      `SELECT provider_id::text AS id FROM status_events LIMIT 1`,
    );
    const { id } = await one<{ id: string }>(
      db,
      `INSERT INTO status_events (provider_id, kind, effective_at, recorded_at, actor, reason)
       VALUES ($1, 'suspended', now(), now(), 'insider', 'geen') RETURNING id::text`,
      [provider.id],
    );
    try {
      await expectBreak(
        db,
        { problem: 'status_event_unlogged', id: must(anchor.head, 'a head').id, row: id },
        { incremental: true },
      );
    } finally {
      await asInsider(db, ['status_events'], (c) => c.query('DELETE FROM status_events WHERE id = $1', [id]));
    }
    expectIntactAgain(db);
  });

  it('finds a copy of a real attestation inserted with a new number and PDF hash and no issue event', async () => {
    const anchor = await anchorHere(db);
    const number = 'VHP-2026-000099';
    await db.asOwner(
      `INSERT INTO attestations (number, provider_id, issued_at, valid_until, issued_by, listing_event_id, data, fingerprint, pdf, pdf_sha256)
       SELECT $1, provider_id, issued_at, valid_until, issued_by, listing_event_id, data, fingerprint, pdf, repeat('e', 64)
         FROM attestations ORDER BY issued_at DESC LIMIT 1`,
      [number],
    );
    try {
      await expectBreak(
        db,
        { problem: 'attestation_unlogged', id: must(anchor.head, 'a head').id, row: number },
        { incremental: true },
      );
      // The page and the API: not "in the log", and never without an answer about the log.
      const page = await request(app).get(`/verificatie/${number}`).expect(200);
      assert.match(page.text, /data-log-proof="missing"/);
      assert.match(page.text, /De afgifte van deze verklaring staat niet in het transparantielog/);
      const english = await request(app).get(`/verificatie/${number}?lang=en`).expect(200);
      assert.match(english.text, /The issue of this attestation is not in the transparency log/);
      const api = await request(app).get(`/api/v1/verklaringen/${number}`).expect(200);
      const log = (api.body as { transparantielog: Record<string, unknown> | null }).transparantielog;
      assert.equal(log?.opgenomen, false);
      assert.equal(log?.reden, 'issue_event_missing');
      assert.equal(log?.bladnummer, null);
      assert.match(String(log?.melding), /niet in het transparantielog/);
      await request(app).get(`/verificatie/${number}/bewijs`).expect(404);
    } finally {
      await asInsider(db, ['attestations'], (c) =>
        c.query('DELETE FROM attestations WHERE number = $1', [number]),
      );
    }
    expectIntactAgain(db);
  });

  it('gives no warning for a real attestation just issued, before the next checkpoint covers it', async () => {
    const provider = await one<{ id: string }>(
      db,
      `SELECT p.id::text AS id FROM providers p JOIN attestations a ON a.provider_id = p.id ORDER BY a.issued_at DESC LIMIT 1`,
    );
    const { number } = await givenIssuedAttestation(db.dataSource, provider.id);
    const page = await request(app).get(`/verificatie/${number}`).expect(200);
    assert.match(page.text, /data-log-proof="pending"/);
    assert.doesNotMatch(page.text, /data-log-warning|staat niet in het transparantielog/);
    const api = await request(app).get(`/api/v1/verklaringen/${number}`).expect(200);
    const log = (api.body as { transparantielog: Record<string, unknown> }).transparantielog;
    assert.equal(log.opgenomen, false);
    assert.equal(log.reden, null);
    assert.equal(typeof log.bladnummer, 'number');
  });

  it('finds an attestation deleted behind the log (its issue event still there)', async () => {
    await anchorHere(db);
    const row = await one<{ number: string }>(db, `SELECT number FROM attestations ORDER BY number LIMIT 1`);
    const event = await issueEventOf(db, row.number);
    const saved = await db.asOwner(`SELECT * FROM attestations WHERE number = $1`, [row.number]);
    await asInsider(db, ['attestations'], (c) =>
      c.query('DELETE FROM attestations WHERE number = $1', [row.number]),
    );
    try {
      await expectBreak(
        db,
        { problem: 'attestation_missing', id: event.id, row: row.number },
        { incremental: true },
      );
    } finally {
      await asInsider(db, ['attestations'], (c) =>
        c.query(`INSERT INTO attestations SELECT (json_populate_record(NULL::attestations, $1::json)).*`, [
          JSON.stringify(saved[0]),
        ]),
      );
    }
    expectIntactAgain(db);
  });

  describe('a row changed behind the log', () => {
    /**
     * An anchor, then a provider's approval, suspension, lifting and attestation after it: rows of
     * new events, which the incremental run checks too (the row of an event before the anchor only
     * a full run re-reads, see the last test).
     */
    async function rowsAfterAnAnchor(): Promise<{ statusEventId: string; number: string }> {
      await anchorHere(db);
      const version = await givenCodeVersion(db.dataSource, {
        publishedAt: new Date(Date.now() - 2 * 86_400_000),
      });
      const provider = await givenProvider(db.dataSource);
      await givenApproval(db.dataSource, provider, version, new Date(Date.now() - 86_400_000));
      const { id } = await one<{ id: string }>(
        db,
        'SELECT max(id)::text AS id FROM status_events WHERE provider_id = $1',
        [provider.id],
      );
      await givenStatusEvent(db.dataSource, {
        providerId: provider.id,
        kind: 'suspended',
        effectiveAt: new Date(Date.now() - 3_600_000),
        reason: 'Onderzoek',
      });
      await givenStatusEvent(db.dataSource, {
        providerId: provider.id,
        kind: 'suspension_lifted',
        effectiveAt: new Date(Date.now() - 60_000),
        reason: 'Afgerond',
      });
      const { number } = await givenIssuedAttestation(db.dataSource, provider.id);
      return { statusEventId: id, number };
    }

    const statusChanges: [string, string][] = [
      ['its kind', `kind = 'listing_expired'`],
      ['its effective time', `effective_at = effective_at - interval '1 day'`],
      ['its end of listing', `valid_until = valid_until + interval '1 year'`],
    ];
    for (const [what, set] of statusChanges)
      it(`finds a status change whose ${what.replace('its ', '')} was changed`, async () => {
        const { statusEventId } = await rowsAfterAnAnchor();
        const event = await statusEventOf(db, statusEventId);
        await asInsider(db, ['status_events'], (c) =>
          c.query(`UPDATE status_events SET ${set} WHERE id = $1`, [statusEventId]),
        );
        try {
          await expectBreak(
            db,
            { problem: 'status_event_altered', id: event.id, row: statusEventId },
            { incremental: true },
          );
        } finally {
          await asInsider(db, ['status_events'], async (c) => {
            const { rows } = await c.query<{ data: Record<string, string>; action: string }>(
              'SELECT data, action FROM audit_events WHERE id = $1',
              [event.id],
            );
            const logged = must(rows[0], 'the event');
            await c.query(
              `UPDATE status_events SET kind = $2, effective_at = $3, valid_until = $4 WHERE id = $1`,
              [
                statusEventId,
                logged.action.slice('status.'.length),
                logged.data.effectiveAt,
                logged.data.validUntil,
              ],
            );
          });
        }
        expectIntactAgain(db);
      });

    const attestationChanges: [string, string][] = [
      ['number', `number = 'VHP-2026-000777'`],
      ['PDF hash', `pdf_sha256 = repeat('f', 64)`],
      ['validity', `valid_until = valid_until + interval '1 year'`],
    ];
    for (const [what, set] of attestationChanges)
      it(`finds an attestation whose ${what} was changed`, async () => {
        const { number } = await rowsAfterAnAnchor();
        const event = await issueEventOf(db, number);
        const before = await one<{ id: string; pdf_sha256: string; valid_until: Date }>(
          db,
          'SELECT id::text, pdf_sha256, valid_until FROM attestations WHERE number = $1',
          [number],
        );
        await asInsider(db, ['attestations'], (c) =>
          c.query(`UPDATE attestations SET ${set} WHERE id = $1`, [before.id]),
        );
        const shown = (
          await one<{ number: string }>(db, 'SELECT number FROM attestations WHERE id = $1', [before.id])
        ).number;
        try {
          await expectBreak(
            db,
            { problem: 'attestation_altered', id: event.id, row: shown },
            { incremental: true },
          );
        } finally {
          await asInsider(db, ['attestations'], (c) =>
            c.query(`UPDATE attestations SET number = $2, pdf_sha256 = $3, valid_until = $4 WHERE id = $1`, [
              before.id,
              number,
              before.pdf_sha256,
              before.valid_until,
            ]),
          );
        }
        expectIntactAgain(db);
      });
  });

  it('finds a status change of an event before the anchor changed, in a full run', async () => {
    await anchorHere(db);
    const row = await one<{ id: string; reason: string | null }>(
      db,
      `SELECT id::text, reason FROM status_events WHERE kind = 'suspended' ORDER BY id LIMIT 1`,
    );
    const event = await statusEventOf(db, row.id);
    await asInsider(db, ['status_events'], (c) =>
      c.query(`UPDATE status_events SET reason = 'anders' WHERE id = $1`, [row.id]),
    );
    try {
      await expectBreak(
        db,
        { problem: 'status_event_altered', id: event.id, row: row.id },
        { incremental: false },
      );
    } finally {
      await asInsider(db, ['status_events'], (c) =>
        c.query(`UPDATE status_events SET reason = $2 WHERE id = $1`, [row.id, row.reason]),
      );
    }
    expectIntactAgain(db);
  });
});
