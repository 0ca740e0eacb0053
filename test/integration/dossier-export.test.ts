import { actorOf } from '../../src/audit/actor';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type request from 'supertest';
import { fromBuffer } from 'yauzl';
import { chainHash } from '../../src/audit/audit-chain';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { addDays, toLocalDate } from '../../src/shared/time';
import { useDossierWorld } from '../factories/history.factory';

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

describe("the auditor's dossier export", () => {
  const world = useDossierWorld();

  describe('GET /beoordeling/hostingproviders/{kvk}/dossier (the ZIP)', () => {
    async function download(query: string) {
      return world.auditor
        .get(`/beoordeling/hostingproviders/${world.history.provider.kvkNumber}/dossier${query}`)
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
      const evidenceRows = await world.db.dataSource.query<{ id: string; content: Buffer; sha256: string }[]>(
        'SELECT v.id, v.content, v.sha256 FROM evidence v JOIN applications a ON a.id = v.application_id WHERE a.provider_id = $1',
        [world.history.provider.id],
      );
      assert.equal(evidenceRows.length, 2);
      for (const row of evidenceRows) {
        const path = [...files.keys()].find((p) => p.includes(row.id));
        assert.ok(path, `evidence ${row.id} is in the ZIP`);
        assert.ok(files.get(path)!.equals(row.content));
      }
      // Attestations: the stored PDFs.
      const attestations = await world.db.dataSource.query<{ number: string; pdf: Buffer }[]>(
        'SELECT number, pdf FROM attestations WHERE provider_id = $1',
        [world.history.provider.id],
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
          aanSince: string | null;
        }[];
        statusAtEnd: { verantwoord: boolean; code: string; label: string };
      };
      const events = await world.db.dataSource.query<{ id: string }[]>(
        'SELECT id::text FROM status_events WHERE provider_id = $1 ORDER BY effective_at, id',
        [world.history.provider.id],
      );
      assert.deepEqual(
        statusJson.events.map((e) => e.id),
        events.map((e) => e.id),
      );
      const suspension = statusJson.events.find((e) => e.kind === 'suspended')!;
      assert.deepEqual(suspension.decidedBy, {
        actor: world.reviewer.email,
        name: 'Rita Rechtvaardig',
        role: 'reviewer',
      });
      // A calendar date is the day on the Dutch calendar, not a UTC instant that reads as the day before.
      const [approvalRow] = await world.db.dataSource.query<{ aan_since: string }[]>(
        `SELECT to_char(aan_since AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD') AS aan_since
           FROM status_events WHERE provider_id = $1 AND kind = 'listing_approved'`,
        [world.history.provider.id],
      );
      const approval = statusJson.events.find((e) => e.kind === 'listing_approved')!;
      assert.equal(approval.aanSince, approvalRow!.aan_since);
      // The status as code and in words, the same shape whether verantwoord or not.
      assert.deepEqual(Object.keys(statusJson.statusAtEnd).slice(0, 3), ['verantwoord', 'code', 'label']);
      assert.ok(statusJson.statusAtEnd.label.length > 5, statusJson.statusAtEnd.label);
      const csv = files.get('statusgeschiedenis.csv')!.toString('utf8');
      assert.ok(csv.startsWith('\uFEFFid;ingang;vastgelegd;soort;'), 'BOM and semicolons');
      assert.equal(csv.trimEnd().split('\r\n').length, events.length + 1);
      const approvalCells = csv
        .split('\r\n')
        .find((line) => line.includes(';listing_approved;'))!
        .split(';');
      assert.match(
        approvalCells[1]!,
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$/,
        'local time with its offset',
      );
      assert.equal(approvalCells[13], approvalRow!.aan_since);

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
        world.history.evidence.map((e) => e.sha256).sort(),
      );

      // Audit events exactly as stored: each line's hash recomputes from its own fields.
      const lines = files.get('auditgebeurtenissen.jsonl')!.toString('utf8').trimEnd().split('\n');
      const stored = await world.db.dataSource.getRepository(AuditEvent).findBy({});
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
      const res = await download('?van=2020-01-01&tot=' + toLocalDate(world.now));
      const files = await unzip(res.body as Buffer);
      const manifestSha = sha256(files.get('manifest.json')!);
      assert.equal(res.headers['x-manifest-sha256'], manifestSha);
      const [event] = await world.db.dataSource.getRepository(AuditEvent).find({
        where: { action: 'provider.dossier_exported', subjectId: world.history.provider.id },
        order: { id: 'DESC' },
        take: 1,
      });
      assert.ok(event);
      assert.equal(event.actor, actorOf(world.auditorUser.user));
      assert.deepEqual(
        { from: event.data.from, to: event.data.to, manifestSha256: event.data.manifestSha256 },
        { from: '2020-01-01', to: toLocalDate(world.now), manifestSha256: manifestSha },
      );
    });

    it('a period holds only what happened in it', async () => {
      const day = toLocalDate(world.history.suspendedAt);
      const files = await unzip((await download(`?van=${day}&tot=${day}`)).body as Buffer);
      const status = JSON.parse(files.get('statusgeschiedenis.json')!.toString('utf8')) as {
        events: { kind: string }[];
        statusAtStart: { code: string; label: string };
        statusAtEnd: { code: string; label: string };
      };
      assert.deepEqual(
        status.events.map((e) => e.kind),
        ['suspended'],
      );
      assert.deepEqual(status.statusAtStart, {
        ...status.statusAtStart,
        code: 'verantwoord',
        label: 'Verantwoord',
      });
      assert.equal(status.statusAtEnd.code, 'suspended');
      assert.equal(status.statusAtEnd.label, 'Niet verantwoord: geschorst');
      assert.ok(![...files.keys()].some((p) => p.startsWith('verklaringen/')), 'the attestation came later');
    });

    it('a malformed date or a period that ends before it starts is a 400 on the staff page, storing nothing', async () => {
      const count = () =>
        world.db.dataSource.getRepository(AuditEvent).countBy({ action: 'provider.dossier_exported' });
      const before = await count();
      const bad = await world.auditor.get(
        `/beoordeling/hostingproviders/${world.history.provider.kvkNumber}/dossier?van=2026-13-01`,
      );
      assert.equal(bad.status, 400);
      assert.match(bad.text, /value="2026-13-01"/);
      const reversed = await world.auditor.get(
        `/beoordeling/hostingproviders/${world.history.provider.kvkNumber}/dossier?van=2026-03-01&tot=2026-02-01`,
      );
      assert.equal(reversed.status, 400);
      assert.match(reversed.text, /de einddatum ligt vóór de begindatum/);
      assert.equal(await count(), before);
    });

    it('a period starting in the future or a repeated date is a 400 with a message, storing nothing', async () => {
      const count = () =>
        world.db.dataSource.getRepository(AuditEvent).countBy({ action: 'provider.dossier_exported' });
      const before = await count();
      const url = `/beoordeling/hostingproviders/${world.history.provider.kvkNumber}/dossier`;
      const tomorrow = toLocalDate(addDays(world.now, 1));
      const future = await world.auditor.get(`${url}?van=${tomorrow}`);
      assert.equal(future.status, 400);
      assert.match(future.text, /de periode kan niet in de toekomst beginnen/);
      assert.ok(future.text.includes(`value="${tomorrow}"`), 'the typed date stays in the form');
      for (const query of ['?van=2020-01-01&van=2021-01-01', '?tot=2026-01-01&tot=2026-02-01']) {
        const repeated = await world.auditor.get(url + query);
        assert.equal(repeated.status, 400, query);
        assert.match(repeated.text, /geef deze datum maar één keer/, query);
      }
      assert.equal(await count(), before);
    });

    it('a period ending after today ends today, in the ZIP, its name and the audit event', async () => {
      const today = toLocalDate(world.now);
      const res = await download('?van=2020-01-01&tot=2099-12-31');
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-disposition']), new RegExp(`-2020-01-01-${today}\\.zip"`));
      const files = await unzip(res.body as Buffer);
      const status = JSON.parse(files.get('statusgeschiedenis.json')!.toString('utf8')) as {
        period: { from: string; to: string };
      };
      assert.deepEqual(status.period, { from: '2020-01-01', to: today });
      const [event] = await world.db.dataSource.getRepository(AuditEvent).find({
        where: { action: 'provider.dossier_exported', subjectId: world.history.provider.id },
        order: { id: 'DESC' },
        take: 1,
      });
      assert.equal(event?.data.to, today);
    });

    it('names evidence by its uploaded name with its letters kept, never a path', async () => {
      const [row] = await world.db.dataSource.query<{ id: string; application_id: string }[]>(
        'SELECT v.id, v.application_id FROM evidence v JOIN applications a ON a.id = v.application_id WHERE a.provider_id = $1 ORDER BY v.created_at LIMIT 1',
        [world.history.provider.id],
      );
      assert.ok(row, 'the provider has evidence');
      const names: [string, string][] = [
        ['’s-Hertogenbosch café.pdf', '’s-Hertogenbosch café.pdf'],
        ['../../etc/passwd', 'passwd.pdf'],
      ];
      for (const [stored, inZip] of names) {
        await world.db.dataSource.query('UPDATE evidence SET filename = $1 WHERE id = $2', [stored, row.id]);
        const files = await unzip((await download('')).body as Buffer);
        assert.ok(
          files.has(`bewijsstukken/${row.application_id}/${row.id}-${inZip}`),
          `${stored} is in the ZIP as ${inZip}: ${[...files.keys()].filter((p) => p.includes(row.id)).join(', ')}`,
        );
      }
    });
  });
});
