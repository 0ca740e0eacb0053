import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { fromBuffer } from 'yauzl';
import {
  addEvidence,
  saveApplication,
  startApplication,
  submitApplication,
} from '../../src/application/application.service';
import { Application } from '../../src/application/application.entity';
import { actOnProvider } from '../../src/application/provider-actions.service';
import { decide } from '../../src/application/review.service';
import { issueAttestation } from '../../src/attestation/attestation.service';
import { chainHash } from '../../src/audit/audit-chain';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import type { Provider } from '../../src/provider/provider.entity';
import { simplePdf } from '../../src/seed/demo-pdf';
import { addDays, addMonths, toLocalDate } from '../../src/shared/time';
import { givenCodeVersion, givenProvider, givenStatusEvent } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { testApp, testConfig, testKeyring } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { assertValidHtml } from '../helpers/html';
import { type Agent, signedIn } from '../helpers/session';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Every file of a ZIP by its path, unpacked with yauzl. */
function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    fromBuffer(zip, { lazyEntries: true }, (error, file) => {
      if (error) return reject(error);
      const files = new Map<string, Buffer>();
      file.on('error', reject);
      file.on('end', () => resolve(files));
      file.on('entry', (entry: { fileName: string }) => {
        file.openReadStream(entry as never, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            file.readEntry();
          });
        });
      });
      file.readEntry();
    });
  });
}

const binary = (res: request.Response, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

interface History {
  provider: Provider;
  applicationId: string;
  approvedAt: Date;
  suspendedAt: Date;
  liftedAt: Date;
  evidence: { filename: string; sha256: string }[];
}

/**
 * A provider with a real history made through the services people use, back in time: an
 * application with two evidence files, approved by a named reviewer nine months ago, suspended
 * six months ago, lifted five months ago, and an attestation issued since.
 */
async function givenHistory(ds: DataSource, reviewer: TestUser, now: Date): Promise<History> {
  const version = await givenCodeVersion(ds, { publishedAt: new Date('2024-01-01T00:00:00Z') });
  const provider = await givenProvider(ds, {
    legalName: `Dossierhosting ${Math.random().toString(36).slice(2, 8)} B.V.`,
  });
  const applicant = await givenUser(ds, 'provider', { providerId: provider.id, name: 'Petra Provider' });
  const start = addMonths(now, -10);
  const application = await startApplication(ds, applicant.user, testConfig, start);
  await saveApplication(
    ds,
    applicant.user,
    application.id,
    {
      codeOfConductVersionId: version.id,
      codeSignedOn: toLocalDate(addMonths(now, -11)),
      signatoryName: 'Petra Provider',
      signatoryRole: 'Directeur',
      aanSince: toLocalDate(addMonths(now, -12)),
      aanContactName: 'Anna AAN',
      aanContactEmail: 'aan@dossier.example',
    },
    String(application.version),
    start,
  );
  const evidence = [];
  for (const kind of ['code_of_conduct', 'aan_confirmation'] as const) {
    const content = simplePdf(`${kind} ${provider.kvkNumber}`);
    const stored = await addEvidence(
      ds,
      applicant.user,
      application.id,
      { kind, filename: `${kind}-getekend.pdf`, content },
      testConfig,
      start,
    );
    evidence.push({ filename: stored.filename, sha256: sha256(content) });
  }
  const version1 = async () =>
    String((await ds.getRepository(Application).findOneByOrFail({ id: application.id })).version);
  await submitApplication(ds, applicant.user, application.id, await version1(), start);
  const approvedAt = addMonths(now, -9);
  await decide(
    ds,
    reviewer.user,
    application.id,
    { action: 'start_review', message: '', version: await version1() },
    testConfig,
    approvedAt,
  );
  await decide(
    ds,
    reviewer.user,
    application.id,
    { action: 'approve', message: 'Gedragscode en AAN-bevestiging in orde.', version: await version1() },
    testConfig,
    approvedAt,
  );
  const suspendedAt = addMonths(now, -6);
  await actOnProvider(
    ds,
    reviewer.user,
    provider.kvkNumber,
    { action: 'suspend', reason: 'Abuse-meldingen niet binnen de termijn afgehandeld.', until: '' },
    testConfig,
    suspendedAt,
  );
  const liftedAt = addMonths(now, -5);
  await actOnProvider(
    ds,
    reviewer.user,
    provider.kvkNumber,
    { action: 'lift', reason: '', until: '' },
    testConfig,
    liftedAt,
  );
  await issueAttestation(
    ds,
    {
      providerId: provider.id,
      actor: reviewer.email,
      publicBaseUrl: testConfig.publicBaseUrl,
      keyring: testKeyring,
    },
    addMonths(now, -4),
  );
  return { provider, applicationId: application.id, approvedAt, suspendedAt, liftedAt, evidence };
}

describe("the auditor's dossier", () => {
  let db: TestDatabase;
  let app: Express;
  let reviewer: TestUser;
  let auditor: Agent;
  let auditorUser: TestUser;
  let history: History;
  const now = new Date();

  before(async function () {
    this.timeout(60_000);
    db = await createTestDatabase();
    app = testApp(db.dataSource).app;
    reviewer = await givenUser(db.dataSource, 'reviewer', { name: 'Rita Rechtvaardig' });
    auditorUser = await givenUser(db.dataSource, 'auditor', { name: 'Arie Auditor' });
    auditor = await signedIn(app, auditorUser);
    history = await givenHistory(db.dataSource, reviewer, now);
  });
  after(() => db.drop());

  describe('GET /beoordeling/hostingproviders (staff search)', () => {
    it('finds a provider by name and by KvK number, and links to its staff page', async () => {
      for (const q of [history.provider.legalName.split(' ')[1]!, history.provider.kvkNumber]) {
        const res = await auditor.get(`/beoordeling/hostingproviders?q=${encodeURIComponent(q)}`);
        assert.equal(res.status, 200);
        assert.match(
          res.text,
          new RegExp(`href="/beoordeling/hostingproviders/${history.provider.kvkNumber}"`),
        );
      }
    });

    it('finds registrations nobody has confirmed yet, which the public search never shows', async () => {
      const hidden = await givenProvider(
        db.dataSource,
        { legalName: 'Verborgenwolk Onbevestigd B.V.' },
        { unconfirmed: true },
      );
      const staff = await auditor.get('/beoordeling/hostingproviders?q=verborgenwolk');
      assert.match(staff.text, new RegExp(`data-kvk="${hidden.kvkNumber}"`));
      assert.match(staff.text, /data-identity-unconfirmed/);
      const byKvk = await auditor.get(`/beoordeling/hostingproviders?q=${hidden.kvkNumber}`);
      assert.match(byKvk.text, new RegExp(`data-kvk="${hidden.kvkNumber}"`));
      const publicSearch = await auditor.get('/hostingproviders?q=verborgenwolk');
      assert.doesNotMatch(publicSearch.text, new RegExp(hidden.kvkNumber));
    });

    it('has the search form on the review queue and on the audit log page', async () => {
      for (const page of ['/beoordeling', '/beheer/auditlog']) {
        const res = await auditor.get(page);
        assert.match(
          res.text,
          /<form method="get" action="\/beoordeling\/hostingproviders"[^>]*data-staff-search/,
          page,
        );
      }
    });

    it('the public provider page links to the staff page for staff only', async () => {
      const url = `/hostingproviders/${history.provider.kvkNumber}`;
      assert.match((await auditor.get(url)).text, /data-staff-link/);
      const anonymous = await request(app).get(url);
      assert.doesNotMatch(anonymous.text, /data-staff-link/);
    });
  });

  describe('GET /beoordeling/hostingproviders/{kvk} (the staff page)', () => {
    it('shows each status change with who decided (name and role), the application and its evidence', async () => {
      const res = await auditor.get(`/beoordeling/hostingproviders/${history.provider.kvkNumber}`);
      assert.equal(res.status, 200);
      await assertValidHtml(res.text, 'staff provider page');
      const suspension =
        /<tr[^>]*data-event-id="\d+">(?:(?!<\/tr>)[\s\S])*Geschorst(?:(?!<\/tr>)[\s\S])*<\/tr>/.exec(
          res.text,
        )?.[0];
      assert.ok(suspension, 'the suspension has its row');
      assert.match(suspension, /Abuse-meldingen niet binnen de termijn afgehandeld\./);
      assert.match(suspension, /Rita Rechtvaardig/);
      assert.match(suspension, /beoordelaar/);
      assert.match(suspension, new RegExp(`Op de goedkeuring van`));
      for (const file of history.evidence) {
        assert.ok(suspension.includes(file.filename), `${file.filename} in the suspension's row`);
        assert.ok(
          suspension.includes(file.sha256),
          `the SHA-256 of ${file.filename} in the suspension's row`,
        );
      }
      // The application section: evidence with uploader and download link, the messages.
      assert.match(
        res.text,
        new RegExp(`href="/aanvragen/${history.applicationId}/bewijsstukken/[0-9a-f-]{36}"`),
      );
      assert.match(res.text, /Petra Provider \(hostingprovider\)/);
      assert.match(res.text, /Gedragscode en AAN-bevestiging in orde\./);
    });

    it('answers the status on a date, and as the register knew it on an earlier date with a note when later records changed it', async () => {
      const kvk = history.provider.kvkNumber;
      const suspendedDay = toLocalDate(addDays(history.suspendedAt, 1));
      const plain = await auditor.get(`/beoordeling/hostingproviders/${kvk}?peildatum=${suspendedDay}`);
      assert.match(plain.text, /data-answer="suspended"/);

      // Known on the day before the suspension was recorded, the same day looked verantwoord.
      const before = toLocalDate(addDays(history.suspendedAt, -1));
      const known = await auditor.get(
        `/beoordeling/hostingproviders/${kvk}?peildatum=${suspendedDay}&bekendOp=${before}`,
      );
      assert.equal(known.status, 200);
      assert.match(known.text, /data-answer="verantwoord"/);
      assert.match(known.text, /data-later-records/);
      assert.match(known.text, /Na .* is er meer vastgelegd/);

      // Known on a later day, nothing recorded afterwards changes that day's answer.
      const after = toLocalDate(addDays(history.suspendedAt, 2));
      const same = await auditor.get(
        `/beoordeling/hostingproviders/${kvk}?peildatum=${suspendedDay}&bekendOp=${after}`,
      );
      assert.match(same.text, /data-answer="suspended"/);
      assert.match(same.text, /data-unchanged-since/);
      assert.doesNotMatch(same.text, /data-later-records/);
    });

    it('a malformed peildatum or known-on date is a 400 with the form and a message, in both languages', async () => {
      const kvk = history.provider.kvkNumber;
      const res = await auditor.get(
        `/beoordeling/hostingproviders/${kvk}?peildatum=2026-02-31&bekendOp=gisteren`,
      );
      assert.equal(res.status, 400);
      assert.match(res.text, /value="gisteren"/);
      assert.doesNotMatch(res.text, /data-answer=/);
      const en = await auditor.get(`/beoordeling/hostingproviders/${kvk}?bekendOp=2026-01-01&lang=en`);
      assert.equal(en.status, 400);
      assert.match(en.text, /fill in the reference date too/);
      await auditor.get('/beoordeling?lang=nl');
    });
  });

  describe('GET /beoordeling/hostingproviders/{kvk}/dossier (the ZIP)', () => {
    async function download(query: string) {
      return auditor
        .get(`/beoordeling/hostingproviders/${history.provider.kvkNumber}/dossier${query}`)
        .buffer(true)
        .parse(binary);
    }

    it('unpacks to files whose hashes match the manifest and whose contents match the database', async () => {
      const res = await download('');
      assert.equal(res.status, 200, String(res.body));
      assert.equal(res.headers['content-type'], 'application/zip');
      const files = await unzip(res.body as Buffer);
      const manifestBytes = files.get('manifest.json');
      assert.ok(manifestBytes, 'manifest.json is in the ZIP');
      const manifest = JSON.parse(manifestBytes.toString('utf8')) as {
        files: { path: string; size: number; sha256: string }[];
      };
      assert.deepEqual(
        [...files.keys()].filter((p) => p !== 'manifest.json').sort(),
        manifest.files.map((f) => f.path).sort(),
        'every file is in the manifest and every manifest entry is a file',
      );
      for (const entry of manifest.files) {
        const bytes = files.get(entry.path)!;
        assert.equal(bytes.length, entry.size, `${entry.path}: size`);
        assert.equal(sha256(bytes), entry.sha256, `${entry.path}: SHA-256`);
      }

      // Evidence: the bytes the register stored, under their recorded hash.
      const evidenceRows = await db.dataSource.query<{ id: string; content: Buffer; sha256: string }[]>(
        'SELECT v.id, v.content, v.sha256 FROM evidence v JOIN applications a ON a.id = v.application_id WHERE a.provider_id = $1',
        [history.provider.id],
      );
      assert.equal(evidenceRows.length, 2);
      for (const row of evidenceRows) {
        const path = [...files.keys()].find((p) => p.includes(row.id));
        assert.ok(path, `evidence ${row.id} is in the ZIP`);
        assert.ok(files.get(path)!.equals(row.content));
      }
      // Attestations: the stored PDFs.
      const attestations = await db.dataSource.query<{ number: string; pdf: Buffer }[]>(
        'SELECT number, pdf FROM attestations WHERE provider_id = $1',
        [history.provider.id],
      );
      assert.equal(attestations.length, 1);
      assert.ok(files.get(`verklaringen/${attestations[0]!.number}.pdf`)!.equals(attestations[0]!.pdf));

      // Status history: JSON and CSV hold every event, the CSV opens as columns in Dutch Excel.
      const statusJson = JSON.parse(files.get('statusgeschiedenis.json')!.toString('utf8')) as {
        events: {
          id: string;
          kind: string;
          decidedBy: { name: string | null; role: string | null };
          reason: string | null;
        }[];
      };
      const events = await db.dataSource.query<{ id: string }[]>(
        'SELECT id::text FROM status_events WHERE provider_id = $1 ORDER BY effective_at, id',
        [history.provider.id],
      );
      assert.deepEqual(
        statusJson.events.map((e) => e.id),
        events.map((e) => e.id),
      );
      const suspension = statusJson.events.find((e) => e.kind === 'suspended')!;
      assert.deepEqual(suspension.decidedBy, {
        actor: reviewer.email,
        name: 'Rita Rechtvaardig',
        role: 'reviewer',
      });
      const csv = files.get('statusgeschiedenis.csv')!.toString('utf8');
      assert.ok(csv.startsWith('\uFEFFid;ingang;vastgelegd;soort;'), 'BOM and semicolons');
      assert.equal(csv.trimEnd().split('\r\n').length, events.length + 1);

      // Applications with messages and decisions.
      const applications = JSON.parse(files.get('aanvragen.json')!.toString('utf8')) as {
        id: string;
        decidedBy: { name: string };
        messages: { body: string | null }[];
        evidence: { sha256: string }[];
      }[];
      assert.equal(applications.length, 1);
      assert.equal(applications[0]!.decidedBy.name, 'Rita Rechtvaardig');
      assert.ok(applications[0]!.messages.some((m) => m.body === 'Gedragscode en AAN-bevestiging in orde.'));
      assert.deepEqual(
        applications[0]!.evidence.map((e) => e.sha256).sort(),
        history.evidence.map((e) => e.sha256).sort(),
      );

      // Audit events exactly as stored: each line's hash recomputes from its own fields.
      const lines = files.get('auditgebeurtenissen.jsonl')!.toString('utf8').trimEnd().split('\n');
      const stored = await db.dataSource.getRepository(AuditEvent).findBy({});
      const byId = new Map(stored.map((e) => [e.id, e]));
      assert.ok(lines.length >= 8, `the provider's events (${lines.length})`);
      for (const line of lines) {
        const record = JSON.parse(line) as {
          id: string;
          occurredAt: string;
          prevHash: string;
          hash: string;
        } & Record<string, unknown>;
        const row = byId.get(record.id)!;
        assert.equal(record.hash, row.hash);
        assert.equal(
          chainHash(record.prevHash, { ...row, occurredAt: new Date(record.occurredAt) }),
          record.hash,
        );
      }
    });

    it('is an audit event with who, which provider, the period and the hash of the manifest', async () => {
      const res = await download('?van=2020-01-01&tot=' + toLocalDate(now));
      const files = await unzip(res.body as Buffer);
      const manifestSha = sha256(files.get('manifest.json')!);
      assert.equal(res.headers['x-manifest-sha256'], manifestSha);
      const [event] = await db.dataSource.getRepository(AuditEvent).find({
        where: { action: 'provider.dossier_exported', subjectId: history.provider.id },
        order: { id: 'DESC' },
        take: 1,
      });
      assert.ok(event);
      assert.equal(event.actor, auditorUser.email);
      assert.deepEqual(
        { from: event.data.from, to: event.data.to, manifestSha256: event.data.manifestSha256 },
        { from: '2020-01-01', to: toLocalDate(now), manifestSha256: manifestSha },
      );
    });

    it('a period holds only what happened in it', async () => {
      const day = toLocalDate(history.suspendedAt);
      const files = await unzip((await download(`?van=${day}&tot=${day}`)).body as Buffer);
      const status = JSON.parse(files.get('statusgeschiedenis.json')!.toString('utf8')) as {
        events: { kind: string }[];
        statusAtStart: { status: string };
      };
      assert.deepEqual(
        status.events.map((e) => e.kind),
        ['suspended'],
      );
      assert.equal(status.statusAtStart.status, 'verantwoord');
      assert.ok(![...files.keys()].some((p) => p.startsWith('verklaringen/')), 'the attestation came later');
    });

    it('a malformed date or a period that ends before it starts is a 400 on the staff page, storing nothing', async () => {
      const count = () =>
        db.dataSource.getRepository(AuditEvent).countBy({ action: 'provider.dossier_exported' });
      const before = await count();
      const bad = await auditor.get(
        `/beoordeling/hostingproviders/${history.provider.kvkNumber}/dossier?van=2026-13-01`,
      );
      assert.equal(bad.status, 400);
      assert.match(bad.text, /value="2026-13-01"/);
      const reversed = await auditor.get(
        `/beoordeling/hostingproviders/${history.provider.kvkNumber}/dossier?van=2026-03-01&tot=2026-02-01`,
      );
      assert.equal(reversed.status, 400);
      assert.match(reversed.text, /de einddatum ligt vóór de begindatum/);
      assert.equal(await count(), before);
    });
  });

  describe('edges', () => {
    it('an unknown KvK number is a 404 for the page and the dossier', async () => {
      assert.equal((await auditor.get('/beoordeling/hostingproviders/00000001')).status, 404);
      assert.equal((await auditor.get('/beoordeling/hostingproviders/00000001/dossier')).status, 404);
    });

    it('a change recorded by the system shows as the system, not as a person', async () => {
      await givenStatusEvent(db.dataSource, {
        providerId: history.provider.id,
        kind: 'aan_participation_ended',
        effectiveAt: addDays(now, -1),
      });
      const res = await auditor.get(`/beoordeling/hostingproviders/${history.provider.kvkNumber}`);
      assert.match(res.text, /test@register\.test <span class="register-history__detail">systeem/);
    });
  });
});
