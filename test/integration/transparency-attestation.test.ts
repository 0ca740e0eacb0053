import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { parseCheckpoint } from '../../monitor/lib/checkpoint';
import { leafHash, verifyInclusion } from '../../monitor/lib/merkle';
import { keyId, openNote } from '../../monitor/lib/note';
import { parseTlogProof } from '../../monitor/lib/proof';
import { decodeEntryBundle, entriesPath, TILE_WIDTH } from '../../monitor/lib/tiles';
import { runMonitor } from '../../monitor/monitor';
import type { Verklaring } from '../../src/api/api.schemas';
import { type AuditEntry, appendAuditEvents } from '../../src/audit/audit.service';
import { leafEntry } from '../../src/audit/leaf-entry';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import type { Provider } from '../../src/provider/provider.entity';
import { addMonths } from '../../src/shared/time';
import { signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { loadLogKey } from '../../src/transparency/log-key';
import { givenApproval, givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { apiClient, bodyOf } from '../helpers/api';
import { givenIssuedAttestation, testApp, testConfig } from '../helpers/app';
import { downloadBytes } from '../helpers/audit-log';
import { createTestDatabase, type TestDatabase, testSigner } from '../helpers/database';
import { assertValidHtml } from '../helpers/html';

const key = loadLogKey(testConfig);
/** The pending answer's promise: twice the checkpoint interval (the signer looks once per interval). */
const PENDING_SECONDS = 2 * testConfig.checkpointIntervalSeconds;

/** Text as a page shows it, with Handlebars' escapes undone. */
const unescapeHtml = (html: string) =>
  html
    .replace(/&#x3D;/g, '=')
    .replace(/&#x2F;/g, '/')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const testEvents = (count: number): AuditEntry[] =>
  Array.from({ length: count }, (_, n) => ({
    actor: 'test:transparency',
    action: 'test.event',
    subjectType: 'test',
    subjectId: String(n),
    data: { n },
  }));

/** The leaf index and leaf entry of an attestation's issue event, read from the database itself. */
async function issueLeaf(db: TestDatabase, attestationId: string): Promise<{ index: number; entry: string }> {
  const event = await db.dataSource
    .getRepository(AuditEvent)
    .findOneByOrFail({ action: 'attestation.issued', subjectId: attestationId });
  const [row] = await db.dataSource.query<{ index: number; salt: Buffer }[]>(
    'SELECT leaf_index::float8 AS index, salt FROM merkle_leaves WHERE event_id = $1',
    [event.id],
  );
  assert.ok(row, 'the issue event has a leaf');
  return { index: row.index, entry: leafEntry(event, row.salt) };
}

/** Checks an inclusion proof (base64 hashes) of `entry` at `index` against a signed checkpoint, with the lib. */
function assertProves(
  checkpointNote: string,
  index: number,
  entry: string | Buffer,
  proof: readonly Buffer[],
) {
  const checkpoint = parseCheckpoint(openNote(checkpointNote, [key.verifierKey]).text);
  assert.ok(index < checkpoint.size, 'the checkpoint covers the leaf');
  verifyInclusion(index, checkpoint.size, leafHash(entry), proof, checkpoint.root);
  return checkpoint;
}

describe('attestations in the transparency log', () => {
  let db: TestDatabase;
  let app: Express;
  let provider: Provider;
  before(async function () {
    this.timeout(60_000);
    db = await createTestDatabase();
    app = testApp(db.dataSource).app;
    const version = await givenCodeVersion(db.dataSource);
    provider = await givenProvider(db.dataSource, { legalName: 'Bewijsbaar Hosting B.V.' });
    await givenApproval(db.dataSource, provider, version, addMonths(new Date(), -1));
  });
  after(() => db.drop());

  const sign = () =>
    signCheckpointIfDue(db.dataSource, testSigner(db), new Date(), { intervalSeconds: 30, asked: true });

  describe('an attestation no checkpoint covers yet', () => {
    let number: string;
    let index: number;
    before(async () => {
      // A checkpoint exists, but it was signed before the attestation was issued.
      assert.equal((await sign()).outcome, 'signed');
      const attestation = await givenIssuedAttestation(db.dataSource, provider.id);
      number = attestation.number;
      index = (await issueLeaf(db, attestation.id)).index;
    });

    it('says on the verification page, in Dutch and English, that it will be included shortly', async () => {
      const nl = await request(app).get(`/verificatie/${number}`);
      assert.equal(nl.status, 200);
      assert.match(nl.text, /data-log-proof="pending"/);
      // The heading says what is true now, not what the text promises.
      assert.match(nl.text, /id="log-proof-heading">Nog niet in het transparantielog</);
      assert.doesNotMatch(nl.text, /Opgenomen in het transparantielog/);
      assert.match(
        nl.text,
        new RegExp(`wordt binnen ongeveer ${PENDING_SECONDS} seconden opgenomen in het transparantielog`),
      );
      assert.doesNotMatch(nl.text, /data-proof-download/);
      const en = await request(app).get(`/verificatie/${number}?lang=en`);
      assert.match(
        en.text,
        new RegExp(`will be included in the transparency log within about ${PENDING_SECONDS} seconds`),
      );
      assert.match(en.text, /id="log-proof-heading">Not yet in the transparency log</);
      assert.doesNotMatch(en.text, /Included in the transparency log/);
      await assertValidHtml(nl.text, 'verification page, proof pending');
    });

    it('answers in the API with the leaf index, opgenomen false and no proof link', async () => {
      const res = await apiClient(app).get(`/api/v1/verklaringen/${number}`);
      assert.equal(res.status, 200);
      const body = bodyOf<Verklaring>(res);
      assert.ok(body.transparantielog);
      assert.equal(body.transparantielog.opgenomen, false);
      assert.equal(body.transparantielog.bladnummer, index);
      assert.equal(body.transparantielog.checkpoint, null);
      assert.equal(body.transparantielog.inclusiebewijs, null);
      assert.match(body.transparantielog.melding, new RegExp(`ongeveer ${PENDING_SECONDS} seconden`));
      assert.equal(body.links.bewijs, undefined);
      assert.equal(body.links.transparantielog.href, `${testConfig.publicBaseUrl}/transparantie`);
    });

    it('has no proof file yet: a 404 that says when to come back, not an error', async () => {
      const res = await request(app).get(`/verificatie/${number}/bewijs`);
      assert.equal(res.status, 404);
      assert.equal(res.headers['retry-after'], String(PENDING_SECONDS));
      assert.match(res.text, /wordt binnen ongeveer \d+ seconden opgenomen/);
      assert.match(res.text, /will be included in the transparency log within about \d+ seconds/);
    });
  });

  describe('an attestation a signed checkpoint covers', () => {
    let number: string;
    let leaf: { index: number; entry: string };
    before(async () => {
      const attestation = await givenIssuedAttestation(db.dataSource, provider.id);
      number = attestation.number;
      leaf = await issueLeaf(db, attestation.id);
      // More events after it, so the proof is not trivially the right edge.
      await db.dataSource.transaction((m) => appendAuditEvents(m, new Date(), testEvents(5)));
      assert.equal((await sign()).outcome, 'signed');
    });

    it('gives in the API the leaf index, the signed checkpoint and an inclusion proof that verify', async () => {
      const body = bodyOf<Verklaring>(await apiClient(app).get(`/api/v1/verklaringen/${number}`));
      const log = body.transparantielog;
      assert.ok(log?.opgenomen && log.checkpoint && log.inclusiebewijs);
      assert.equal(log.bladnummer, leaf.index);
      const [latest] = await db.dataSource.query<{ note: string; size: number }[]>(
        'SELECT note, tree_size::float8 AS size FROM log_checkpoints ORDER BY id DESC LIMIT 1',
      );
      assert.equal(log.checkpoint, latest?.note, 'the latest checkpoint, verbatim');
      assert.equal(log.boomgrootte, latest?.size);
      assertProves(
        log.checkpoint,
        leaf.index,
        leaf.entry,
        log.inclusiebewijs.map((hash) => Buffer.from(hash, 'base64')),
      );
      assert.equal(body.links.bewijs?.href, `${testConfig.publicBaseUrl}/verificatie/${number}/bewijs`);
    });

    it('shows the leaf index, the checkpoint and the proof on the verification page (NL and EN)', async () => {
      const res = await request(app).get(`/verificatie/${number}`);
      assert.match(res.text, /data-log-proof="included"/);
      assert.match(res.text, new RegExp(`data-leaf-index="${leaf.index}"`));
      const text = unescapeHtml(res.text);
      const note = /<pre class="register-wrap" data-checkpoint>([\s\S]*?)<\/pre>/.exec(text)?.[1];
      assert.ok(note, 'the page shows the checkpoint');
      const proof = [
        ...(/<ol[^>]*data-inclusion-proof>([\s\S]*?)<\/ol>/.exec(text)?.[1] ?? '').matchAll(
          /<code>([^<]+)<\/code>/g,
        ),
      ].map((m) => Buffer.from(m[1] ?? '', 'base64'));
      assertProves(note, leaf.index, leaf.entry, proof);
      assert.match(res.text, new RegExp(`href="/verificatie/${number}/bewijs" download`));
      assert.match(res.text, /Opgenomen in het transparantielog/);
      const en = await request(app).get(`/verificatie/${number}?lang=en`);
      assert.match(en.text, /Included in the transparency log/);
      await assertValidHtml(res.text, 'verification page with proof');
    });

    it('proves against the newest checkpoint once the log has grown and a new one is signed', async () => {
      await db.dataSource.transaction((m) => appendAuditEvents(m, new Date(), testEvents(300)));
      assert.equal((await sign()).outcome, 'signed');
      const log = bodyOf<Verklaring>(
        await apiClient(app).get(`/api/v1/verklaringen/${number}`),
      ).transparantielog;
      assert.ok(log?.checkpoint && log.inclusiebewijs);
      const checkpoint = assertProves(
        log.checkpoint,
        leaf.index,
        leaf.entry,
        log.inclusiebewijs.map((hash) => Buffer.from(hash, 'base64')),
      );
      assert.ok(checkpoint.size > leaf.index + 300);
    });

    it('downloads one .tlog-proof file that the monitor checks offline with the PDF: OK, and FAIL for an altered PDF', async () => {
      const proofRes = await request(app).get(`/verificatie/${number}/bewijs`);
      assert.equal(proofRes.status, 200);
      assert.match(String(proofRes.headers['content-type']), /^text\/plain; charset=utf-8/);
      assert.equal(
        proofRes.headers['content-disposition'],
        `attachment; filename="verklaring-${number}.tlog-proof"`,
      );
      const proof = parseTlogProof(proofRes.text);
      assert.equal(proof.index, leaf.index);
      // The extra line holds exactly the bytes the entry bundle serves for that leaf.
      const size = parseCheckpoint(openNote(proof.checkpoint, [key.verifierKey]).text).size;
      const tile = Math.floor(leaf.index / TILE_WIDTH);
      const width = Math.min(TILE_WIDTH, size - tile * TILE_WIDTH);
      const bundle = await downloadBytes(request(app), `/transparantie/${entriesPath(tile, width)}`);
      assert.equal(bundle.status, 200);
      const served = decodeEntryBundle(bundle.body as Buffer)[leaf.index % TILE_WIDTH];
      assert.deepEqual(proof.extra, served);
      assert.equal(proof.extra?.toString('utf8'), leaf.entry);

      const pdf = await downloadBytes(request(app), `/verificatie/${number}/pdf`);
      assert.equal(pdf.status, 200);
      const dir = mkdtempSync(path.join(tmpdir(), 'tlog-proof-'));
      try {
        const files = {
          pdf: path.join(dir, `${number}.pdf`),
          altered: path.join(dir, 'altered.pdf'),
          proof: path.join(dir, `verklaring-${number}.tlog-proof`),
          key: path.join(dir, 'log-key.txt'),
        };
        const original = pdf.body as Buffer;
        const altered = Buffer.from(original);
        const middle = Math.floor(altered.length / 2);
        altered.writeUInt8(altered.readUInt8(middle) ^ 0x01, middle);
        writeFileSync(files.pdf, original);
        writeFileSync(files.altered, altered);
        writeFileSync(files.proof, proofRes.text);
        writeFileSync(files.key, (await request(app).get('/transparantie/sleutel')).text);
        const check = async (pdfFile: string) => {
          const out: string[] = [];
          const code = await runMonitor(['check-proof', pdfFile, files.proof, '--key-file', files.key], {
            out: (line) => out.push(line),
            err: (line) => out.push(line),
          });
          return { code, out: out.join('\n') };
        };
        const ok = await check(files.pdf);
        assert.equal(ok.code, 0, ok.out);
        assert.match(ok.out, new RegExp(`^OK attestation ${number} issued .* leaf ${leaf.index} `));
        const fail = await check(files.altered);
        assert.equal(fail.code, 1, fail.out);
        assert.match(fail.out, new RegExp(`^FAIL attestation ${number}: the PDF is not this attestation`));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('sends a lower-case number to its canonical proof address, and answers 404 for an unknown one', async () => {
      const lower = await request(app).get(`/verificatie/${number.toLowerCase()}/bewijs`);
      assert.equal(lower.status, 301);
      assert.equal(lower.headers.location, `/verificatie/${number}/bewijs`);
      assert.equal((await request(app).get('/verificatie/VHP-2020-999999/bewijs')).status, 404);
      assert.equal((await request(app).get('/verificatie/niet-een-nummer/bewijs')).status, 404);
    });
  });

  describe('the page /transparantie', () => {
    it('shows in Dutch the tree size, the latest checkpoint, the key with its id and the addresses', async () => {
      const res = await request(app).get('/transparantie');
      assert.equal(res.status, 200);
      const [size] = await db.dataSource.query<{ size: number }[]>(
        'SELECT count(*)::float8 AS size FROM merkle_leaves',
      );
      assert.match(res.text, new RegExp(`data-tree-size="${size?.size}"`));
      const [latest] = await db.dataSource.query<{ note: string; size: number }[]>(
        'SELECT note, tree_size::float8 AS size FROM log_checkpoints ORDER BY id DESC LIMIT 1',
      );
      assert.ok(latest);
      const text = unescapeHtml(res.text);
      assert.ok(text.includes(latest.note), 'the latest checkpoint, verbatim');
      assert.match(res.text, new RegExp(`data-checkpoint-size="${latest.size}"`));
      assert.ok(text.includes(`data-verifier-key="${key.verifierKey}"`));
      assert.match(res.text, new RegExp(`data-key-id="${keyId(key.origin, key.publicKey).toString('hex')}"`));
      for (const href of [
        '/transparantie/checkpoint',
        '/transparantie/sleutel',
        '/transparantie/checkpoints',
        '/open-data/checkpoints.json',
      ])
        assert.match(res.text, new RegExp(`href="${href}"`));
      assert.match(res.text, /<h1[^>]*>Transparantie/);
      assert.ok(text.includes(`${testConfig.publicBaseUrl}/transparantie/`), 'the tiles prefix');
      assert.match(res.text, /check-proof/);
      await assertValidHtml(res.text, 'transparency page');
    });

    it('shows the same in English', async () => {
      const res = await request(app).get('/transparantie?lang=en');
      assert.equal(res.status, 200);
      assert.match(res.text, /<html lang="en"/);
      assert.match(res.text, /<h1[^>]*>Transparency: check the register/);
      assert.match(res.text, /The latest checkpoint: \d+ events, signed/);
    });

    it('is linked from the footer of every page and from the open data page', async () => {
      assert.match((await request(app).get('/')).text, /<footer[\s\S]*href="\/transparantie"/);
      assert.match((await request(app).get('/open-data')).text, /href="\/transparantie"/);
    });
  });
});

describe('the transparency page and open data before and across days of checkpoints', () => {
  let db: TestDatabase;
  let app: Express;
  before(async function () {
    this.timeout(60_000);
    db = await createTestDatabase();
    app = testApp(db.dataSource).app;
  });
  after(() => db.drop());

  const signAt = async (iso: string, grow: number) => {
    await db.dataSource.transaction((m) => appendAuditEvents(m, new Date(iso), testEvents(grow)));
    const result = await signCheckpointIfDue(db.dataSource, testSigner(db), new Date(iso), {
      intervalSeconds: 30,
    });
    assert.equal(result.outcome, 'signed');
    return result.outcome === 'signed' ? result : assert.fail();
  };

  it('says on /transparantie that no checkpoint was signed yet, and open data has an empty list', async () => {
    const page = await request(app).get('/transparantie');
    assert.equal(page.status, 200);
    assert.match(page.text, /Er is nog geen checkpoint ondertekend/);
    const res = await request(app).get('/open-data/checkpoints.json');
    assert.equal(res.status, 200);
    assert.deepEqual((res.body as { checkpoints: unknown[] }).checkpoints, []);
  });

  it('lists the latest checkpoint of each Dutch calendar day, oldest first, each verifying with the log key', async () => {
    await signAt('2026-01-01T10:00:00Z', 3);
    const lateDay1 = await signAt('2026-01-01T22:00:00Z', 2); // 23:00 in Amsterdam
    const day2 = await signAt('2026-01-01T23:30:00Z', 4); // 00:30 on 2 January in Amsterdam
    const res = await request(app).get('/open-data/checkpoints.json');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json; charset=utf-8/);
    assert.equal(res.headers['content-disposition'], 'attachment; filename="checkpoints.json"');
    const body = res.body as {
      sleutel: string;
      checkpoints: { dag: string; boomgrootte: number; ondertekendOp: string; checkpoint: string }[];
    };
    assert.equal(body.sleutel, `${testConfig.publicBaseUrl}/transparantie/sleutel`);
    assert.deepEqual(
      body.checkpoints.map((c) => [c.dag, c.boomgrootte, c.ondertekendOp, c.checkpoint]),
      [
        ['2026-01-01', lateDay1.treeSize, '2026-01-01T22:00:00.000Z', lateDay1.note],
        ['2026-01-02', day2.treeSize, '2026-01-01T23:30:00.000Z', day2.note],
      ],
    );
    for (const c of body.checkpoints)
      assert.equal(parseCheckpoint(openNote(c.checkpoint, [key.verifierKey]).text).size, c.boomgrootte);
  });

  it('offers the daily checkpoints on the open data page', async () => {
    const res = await request(app).get('/open-data');
    assert.match(res.text, /href="\/open-data\/checkpoints.json" download/);
    await assertValidHtml(res.text, 'open data page with checkpoints');
  });
});
