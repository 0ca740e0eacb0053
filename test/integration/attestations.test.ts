import { actorOf } from '../../src/audit/actor';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import type { User } from '../../src/identity/user.entity';
import { actOnProvider } from '../../src/application/provider-actions.service';
import { Attestation } from '../../src/attestation/attestation.entity';
import { fingerprintOf, renderAttestationPdf } from '../../src/attestation/attestation.pdf';
import { loadSigningIdentity, signatureField, signingKeyring, signPdf } from '../../src/attestation/signing';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import type { Provider } from '../../src/provider/provider.entity';
import { DEMO_ATTESTATIONS } from '../../src/seed/demo-data';
import { FixedClock } from '../../src/shared/clock';
import { SettingError } from '../../src/shared/errors';
import { addDays, addMonths } from '../../src/shared/time';
import {
  givenApproval,
  givenCodeVersion,
  givenProvider,
  givenStatusEvent,
} from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { apiClient } from '../helpers/api';
import { testApp, testConfig, useTestApp, givenIssuedAttestation } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { demoKvkOf, useDemoRegister } from '../helpers/demo';
import { assertValidHtml } from '../helpers/html';
import { type Agent, csrfFrom, signedIn, tokenFor } from '../helpers/session';
import { onPath, requireTool } from '../helpers/tools';
import { z } from 'zod';
import PDFDocument from 'pdfkit';

const binary = (res: request.Response) => res.body as Buffer;

/** The parts of the API's answers these tests read: parsing fails the test when an answer has another shape. */
const verificationAnswer = z.object({
  nummer: z.string(),
  status: z.string(),
  sinds: z.unknown(),
  reden: z.unknown(),
  toelichting: z.unknown(),
});
const verificationDetail = verificationAnswer.extend({
  hostingprovider: z.object({ kvkNummer: z.string() }),
  links: z.object({ pdf: z.object({ href: z.string() }) }),
});
const providerAnswer = z.object({
  verklaringen: z.array(z.object({ nummer: z.string(), status: z.string() })),
});
const problemAnswer = z.object({
  code: z.string(),
  invalidParams: z.array(z.object({ name: z.string() })).optional(),
});
const getPdf = (app: Express, url: string) =>
  request(app)
    .get(url)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });

const SIGNING_FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'signing');
const fixture = (name: string) => readFileSync(path.join(SIGNING_FIXTURES, name));
const FIXTURE_PASSPHRASE = 'geheim wachtwoord';

/**
 * The PDF with an incremental update appended, as a PDF reader writes one when it saves a change:
 * a new Info dictionary, its cross-reference section and a trailer pointing back to the old one.
 */
function withIncrementalUpdate(pdf: Buffer): Buffer {
  const text = pdf.toString('latin1');
  const trailer = text.slice(text.lastIndexOf('trailer'));
  const previous = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)?.[1]);
  const size = Number(/\/Size (\d+)/.exec(trailer)?.[1]);
  const root = /\/Root (\d+ \d+ R)/.exec(trailer)?.[1];
  assert.ok(previous > 0 && size > 0 && root, trailer);
  const objectAt = pdf.length + 1;
  const object = `${size} 0 obj\n<< /Producer (Een pdf-lezer) >>\nendobj\n`;
  const xrefAt = objectAt + object.length;
  const update =
    `\n${object}xref\n${size} 1\n${String(objectAt).padStart(10, '0')} 00000 n \n` +
    `trailer\n<< /Size ${size + 1} /Root ${root} /Info ${size} 0 R /Prev ${previous} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([pdf, Buffer.from(update, 'latin1')]);
}

/** The text pdftotext (poppler) reads from a PDF, in reading order. */
function pdfText(pdf: Buffer): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'pdftext-')), 'a.pdf');
  writeFileSync(file, pdf);
  // -raw: the lines as drawn, without joining a word broken at a hyphen across two lines.
  return execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' });
}

/**
 * Words for the start of an attestation's address line (11 pt, the full text width) such that
 * `head` still fits on the line after them and `head` + `tail` does not: where a break after the
 * hyphen would fall.
 */
function lineFilling(head: string, tail: string): string {
  const doc = new PDFDocument({ size: 'A4', margin: 56 });
  doc.font(path.join(__dirname, '..', '..', '..', 'resources', 'fonts', 'DejaVuSans.ttf')).fontSize(11);
  const width = doc.page.width - 112;
  for (let n = 1; n < 200; n++) {
    const words = `Dorpsstraat ${'ii '.repeat(n)}`;
    const fits = doc.widthOfString(`${words}5211 AB ${head}`) < width - 4;
    const overflows = doc.widthOfString(`${words}5211 AB ${head}${tail}`) > width + 4;
    if (fits && overflows) return words;
  }
  throw new Error('no filling found');
}

/** What pdfsig (poppler) says of a PDF. */
function pdfsig(pdf: Buffer): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'pdfsig-')), 'a.pdf');
  writeFileSync(file, pdf);
  const result = spawnSync('pdfsig', [file], { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}

describe('attestations', () => {
  let db: TestDatabase;
  let app: Express;
  let provider: Provider;
  let owner: TestUser;
  let reviewer: TestUser;
  let providerAgent: Agent;
  let approvedAt: Date;

  before(async function () {
    this.timeout(60_000);
    db = await createTestDatabase();
    app = testApp(db.dataSource).app;
    const version = await givenCodeVersion(db.dataSource);
    provider = await givenProvider(db.dataSource, { legalName: 'Verklaarbaar Hosting B.V.' });
    approvedAt = addMonths(new Date(), -1);
    await givenApproval(db.dataSource, provider, version, approvedAt);
    owner = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    reviewer = await givenUser(db.dataSource, 'reviewer');
    providerAgent = await signedIn(app, owner);
  });
  after(() => db.drop());

  async function issueAsProvider(): Promise<string> {
    const token = await tokenFor(providerAgent, '/account');
    const res = await providerAgent.post('/account/verklaringen').type('form').send({ _csrf: token });
    assert.equal(res.status, 303, res.text);
    const number = /verklaring=(VHP-\d{4}-\d{6})/.exec(String(res.headers.location))?.[1];
    assert.ok(number, String(res.headers.location));
    return number;
  }

  const stateOf = async (number: string) =>
    /data-attestation-state="([a-z]+)"/.exec((await request(app).get(`/verificatie/${number}`)).text)?.[1];

  describe('issuing', () => {
    it('lets a user of a verantwoord provider issue one: numbered, stored once with its hashes, audited', async () => {
      const number = await issueAsProvider();
      assert.match(number, new RegExp(`^VHP-${new Date().getFullYear()}-\\d{6}$`));
      const stored = await db.dataSource.getRepository(Attestation).findOneByOrFail({ number });
      assert.equal(stored.providerId, provider.id);
      assert.match(stored.pdfSha256, /^[0-9a-f]{64}$/);
      // The listing ends before 12 months after issue, so the attestation ends with the listing.
      assert.equal(stored.validUntil.toISOString(), addMonths(approvedAt, 12).toISOString());
      const audit = await db.dataSource
        .getRepository(AuditEvent)
        .findOneByOrFail({ action: 'attestation.issued', subjectId: stored.id });
      assert.equal((audit.data as { number: string }).number, number);
      await assert.rejects(
        db.asOwner(`UPDATE attestations SET valid_until = now() WHERE number = $1`, [number]),
        /append-only/,
      );
      const page = await providerAgent.get(`/account?verklaring=${number}`);
      assert.match(page.text, new RegExp(`data-attestation="${number}" data-state="valid"`));
      assert.match(page.text, new RegExp(`Verklaring ${number} is afgegeven`));
      await assertValidHtml(page.text, 'account page with attestations');
    });

    it('numbers attestations from one sequence, one after the other', async () => {
      const first = await issueAsProvider();
      const second = await issueAsProvider();
      assert.equal(Number(second.slice(-6)), Number(first.slice(-6)) + 1);
    });

    it('lets a reviewer issue one for any provider, from the provider’s review page', async () => {
      const agent = await signedIn(app, reviewer);
      const page = await agent.get(`/beoordeling/hostingproviders/${provider.kvkNumber}`);
      assert.match(page.text, /action="\/beoordeling\/hostingproviders\/\d{8}\/verklaringen"/);
      const res = await agent
        .post(`/beoordeling/hostingproviders/${provider.kvkNumber}/verklaringen`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) });
      assert.equal(res.status, 303);
      const latest = await db.dataSource
        .getRepository(Attestation)
        .findOne({ where: { providerId: provider.id }, order: { issuedAt: 'DESC' } });
      assert.equal(latest?.issuedBy, actorOf(reviewer.user));
    });

    it('shows no button and refuses to issue while the provider is not verantwoord', async () => {
      const other = await givenProvider(db.dataSource);
      const user = await givenUser(db.dataSource, 'provider', { providerId: other.id });
      const agent = await signedIn(app, user);
      const page = await agent.get('/account');
      assert.doesNotMatch(page.text, /action="\/account\/verklaringen"/);
      assert.match(page.text, /data-issue-blocked/);
      const res = await agent
        .post('/account/verklaringen')
        .type('form')
        .send({ _csrf: csrfFrom(page.text) });
      assert.equal(res.status, 409);
      assert.match(res.text, /alleen worden afgegeven zolang de hostingprovider verantwoord is/);
      assert.equal(await db.dataSource.getRepository(Attestation).countBy({ providerId: other.id }), 0);
    });
  });

  describe('the PDF', function () {
    before(function () {
      requireTool(
        this,
        onPath('pdfsig') && onPath('qpdf') && onPath('pdftotext'),
        'pdfsig, qpdf or pdftotext not found: the PDF checks are pending. Install them with "apt-get install poppler-utils qpdf".',
      );
    });

    it('is signed by the register: pdfsig says valid, and no longer after one byte is changed; qpdf finds no damage', async () => {
      const number = await issueAsProvider();
      const pdf = binary(await getPdf(app, `/verificatie/${number}/pdf`).expect(200));
      assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
      const report = pdfsig(pdf);
      assert.match(report, /Signature is Valid\./, report);
      assert.match(report, /Signature Type: ETSI\.CAdES\.detached/);
      assert.match(report, /Signer Certificate Common Name: Register Verantwoorde Hostingproviders/);

      const file = path.join(mkdtempSync(path.join(tmpdir(), 'qpdf-')), 'a.pdf');
      writeFileSync(file, pdf);
      execFileSync('qpdf', ['--check', file], { stdio: 'pipe' });
      // The signature's widget is printable, as PDF/A asks of every annotation.
      assert.match(pdf.toString('latin1'), /\/Subtype \/Widget\n\/FT \/Sig\n[^>]*\/F 4\n/);

      // One bit of one byte inside the signed part (before the hole left for the signature).
      const holeStart = /\/ByteRange\s*\[\s*0\s+(\d+)/.exec(pdf.toString('latin1'))?.[1];
      assert.ok(Number(holeStart) > 1000, `the signature's hole starts at ${holeStart}`);
      const tampered = Buffer.from(pdf);
      tampered.writeUInt8(tampered.readUInt8(1000) ^ 0x01, 1000);
      assert.doesNotMatch(pdfsig(tampered), /Signature is Valid\./);
    });

    it('is signed as valid with a key from a PKCS#12 file made by `openssl pkcs12 -export` (OpenSSL 3)', async () => {
      const identity = await loadSigningIdentity(fixture('openssl3.p12'), FIXTURE_PASSPHRASE);
      assert.equal(identity.signerName, 'Register Verantwoorde Hostingproviders (test)');
      const number = await issueAsProvider();
      const { data } = await db.dataSource.getRepository(Attestation).findOneByOrFail({ number });
      const signed = await signPdf(
        await renderAttestationPdf(data, fingerprintOf(data), signatureField(identity, new Date())),
        identity,
      );
      const report = pdfsig(signed);
      assert.match(report, /Signature is Valid\./, report);
      assert.match(report, /Signer Certificate Common Name: Register Verantwoorde Hostingproviders \(test\)/);
    });

    it('states, in Dutch and English, who, what was found, the validity, the verification URL and the fingerprint', async () => {
      const number = await issueAsProvider();
      const stored = await db.dataSource.getRepository(Attestation).findOneByOrFail({ number });
      const pdf = binary(await getPdf(app, `/verificatie/${number}/pdf`));
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'pdftext-')), 'a.pdf');
      writeFileSync(file, pdf);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      for (const expected of [
        'Register Verantwoorde Hostingproviders',
        'Verklaring verantwoorde hostingprovider',
        'Attestation of a responsible hosting provider',
        number,
        provider.legalName,
        provider.kvkNumber,
        `${provider.postcode} ${provider.city}`,
        'Gedragscode / Code of conduct',
        'Deelname AAN sinds / AAN participation since',
        'verantwoord / responsible',
        'Geldig tot / Valid until',
        `${testConfig.publicBaseUrl}/verificatie/${number}`,
        stored.fingerprint.slice(0, 4),
      ]) {
        assert.ok(text.includes(expected), `the PDF text lacks "${expected}"`);
      }
      const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
      assert.match(info, /Tagged:\s+yes/);
      assert.match(info, new RegExp(`Title:\\s+Verklaring verantwoorde hostingprovider ${number}`));
      const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
      assert.match(fonts, /DejaVuSans/);
      assert.doesNotMatch(fonts, / no\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/m, 'every font embedded');
    });
  });

  describe('the PDF names its issuer, its time zone and keeps names whole', () => {
    before(function () {
      requireTool(
        this,
        onPath('pdfsig') && onPath('pdftotext'),
        'pdfsig or pdftotext not found: the PDF checks are pending. Install them with "apt-get install poppler-utils".',
      );
    });

    it('names the issuing organisation and the contact address of the settings, and writes times with their zone', async () => {
      // The settings' starting values: nothing is stored in this test's database.
      const own = testApp(db.dataSource, {
        config: {
          organisationName: 'Ministerie van Proefzaken',
          contactEmail: 'verklaringen@proefzaken.example',
        },
      }).app;
      const agent = await signedIn(own, owner);
      const token = await tokenFor(agent, '/account');
      const issued = await agent.post('/account/verklaringen').type('form').send({ _csrf: token });
      const number = /verklaring=(VHP-\d{4}-\d{6})/.exec(String(issued.headers.location))?.[1];
      assert.ok(number, String(issued.headers.location));
      const pdf = binary(await getPdf(own, `/verificatie/${number}/pdf`));
      const text = pdfText(pdf);
      assert.match(text, /Uitgegeven door \/ Issued by: Ministerie van Proefzaken/);
      assert.match(text, /Vragen:\s+verklaringen@proefzaken\.example\./);
      assert.match(text, /Questions:\s+verklaringen@proefzaken\.example\./);
      // Issued on, valid from and valid until: each in Dutch and English with the zone and its offset.
      const nl = text.match(/\d{1,2} \p{L}+ \d{4} om \d{2}:\d{2} CES?T \(UTC\+[12]\)/gu) ?? [];
      const en = text.match(/\d{1,2} \p{L}+ \d{4} at \d{2}:\d{2} CES?T \(UTC\+[12]\)/gu) ?? [];
      assert.equal(nl.length, 3, text);
      assert.equal(en.length, 3, text);
      assert.match(pdfsig(pdf), /Signature is Valid\./);
      assert.equal(text.split('\f').filter((page) => page.trim()).length, 1, 'one page');
    });

    it('does not break ’s-Hertogenbosch at its hyphen where an ordinary hyphenated word would break', async () => {
      const number = await issueAsProvider();
      const { data } = await db.dataSource.getRepository(Attestation).findOneByOrFail({ number });
      // A street long enough that "’s-" still fits on the line and "Hertogenbosch" does not.
      const street = lineFilling('’s-', 'Hertogenbosch');
      const render = async (city: string) =>
        pdfText(
          await renderAttestationPdf(
            { ...data, hostingprovider: { ...data.hostingprovider, adres: `${street}5211 AB ${city}` } },
            fingerprintOf(data),
          ),
        );
      // The control: without the elided article the same width breaks after the hyphen.
      assert.match(await render('xs-Hertogenbosch'), /xs-\n+Hertogenbosch/);
      const text = (await render('’s-Hertogenbosch')).replaceAll('\u2011', '-');
      assert.match(text, /5211 AB\s+’s-Hertogenbosch/);
      assert.doesNotMatch(text, /’s-\n/);
    });
  });

  describe('verification follows the status at once', () => {
    let number: string;
    let staff: User;

    before(async () => {
      number = await issueAsProvider();
      staff = (await db.dataSource.getRepository('User').findOneByOrFail({ email: reviewer.email })) as User;
    });

    it('valid → suspended → valid after lifting → revoked, each at the very next request', async () => {
      assert.equal(await stateOf(number), 'valid');
      await actOnProvider(
        db.dataSource,
        staff,
        provider.kvkNumber,
        { action: 'suspend', reason: 'Onderzoek.', until: '' },
        testConfig,
        new Date(),
      );
      assert.equal(await stateOf(number), 'suspended');
      const api = apiClient(app);
      const suspended = verificationAnswer.parse((await api.get(`/api/v1/verklaringen/${number}`)).body);
      assert.equal(suspended.status, 'suspended');
      assert.equal(suspended.toelichting, 'Onderzoek.');
      await actOnProvider(
        db.dataSource,
        staff,
        provider.kvkNumber,
        { action: 'lift', reason: 'Opgelost.', until: '' },
        testConfig,
        new Date(),
      );
      assert.equal(await stateOf(number), 'valid');
      await actOnProvider(
        db.dataSource,
        staff,
        provider.kvkNumber,
        { action: 'revoke', reason: 'Malafide reseller.', until: '' },
        testConfig,
        new Date(),
      );
      const page = await request(app).get(`/verificatie/${number}`);
      assert.match(page.text, /data-attestation-state="revoked"/);
      assert.match(page.text, /Malafide reseller\./);
      await assertValidHtml(page.text, 'verification page, revoked');
      const revoked = verificationAnswer.parse((await api.get(`/api/v1/verklaringen/${number}`)).body);
      assert.equal(revoked.status, 'revoked');
      assert.equal(revoked.reden, 'revoked');
      const detail = providerAnswer.parse(
        (await api.get(`/api/v1/hostingproviders/${provider.kvkNumber}`)).body,
      );
      assert.ok(detail.verklaringen.some((v) => v.nummer === number && v.status === 'revoked'));
    });
  });

  describe('the verification page', () => {
    it('answers an unknown number with 404 and a clear message, and a malformed one with the form', async () => {
      const unknown = await request(app).get('/verificatie/VHP-2020-000001');
      assert.equal(unknown.status, 404);
      assert.match(unknown.text, /data-attestation-state="unknown"/);
      const malformed = await request(app).get('/verificatie?nummer=VHP-12');
      assert.equal(malformed.status, 400);
      assert.match(malformed.text, /VHP-2026-000123/);
      assert.match(malformed.text, /value="VHP-12"/);
      const byForm = await request(app).get('/verificatie?nummer=vhp-2020-000001');
      assert.equal(byForm.status, 303);
      assert.equal(byForm.headers.location, '/verificatie/VHP-2020-000001');
      await assertValidHtml((await request(app).get('/verificatie')).text, 'verification page');
    });

    it('recognises an uploaded PDF byte for byte, and reports a changed one as not issued by the register', async () => {
      const issued = await givenIssuedAttestation(
        db.dataSource,
        (await givenVerantwoordProvider()).id,
        new Date(),
      );
      const pdf = binary(await getPdf(app, `/verificatie/${issued.number}/pdf`));
      const upload = async (bytes: Buffer) => {
        const agent = request.agent(app);
        const token = await tokenFor(agent, '/verificatie');
        return agent.post('/verificatie').field('_csrf', token).attach('pdf', bytes, 'verklaring.pdf');
      };
      const same = await upload(pdf);
      assert.equal(same.status, 200);
      assert.match(same.text, /data-upload-matched="yes"/);
      assert.match(same.text, new RegExp(issued.number));
      assert.match(same.text, /data-attestation-state="valid"/);
      await assertValidHtml(same.text, 'upload matched');

      // One bit of one byte inside the signed part: not the register's any more.
      const changed = Buffer.from(pdf);
      changed.writeUInt8(changed.readUInt8(1000) ^ 0x01, 1000);
      const other = await upload(changed);
      assert.equal(other.status, 200);
      assert.match(other.text, /data-upload-matched="no"/);
      assert.match(other.text, /Niet door het register afgegeven/);

      const notPdf = await upload(Buffer.from('hello'));
      assert.equal(notPdf.status, 400);
      assert.match(notPdf.text, /dit bestand is geen pdf/);
      // The error summary names the field as its label does: the attestation's PDF file.
      assert.match(notPdf.text, /href="#field-pdf">Pdf-bestand van de verklaring: /);
      assert.match(notPdf.text, /<label[^>]*for="field-pdf">Pdf-bestand van de verklaring</);
    });

    it('reports a PDF with bytes appended after its signed part as genuine with something appended, not as forged', async function () {
      requireTool(
        this,
        onPath('pdfsig'),
        'pdfsig not found: install it with "apt-get install poppler-utils".',
      );
      const issued = await givenIssuedAttestation(
        db.dataSource,
        (await givenVerantwoordProvider()).id,
        new Date(),
      );
      const pdf = binary(await getPdf(app, `/verificatie/${issued.number}/pdf`));
      const upload = async (bytes: Buffer, lang = 'nl') => {
        const agent = request.agent(app);
        const token = await tokenFor(agent, `/verificatie?lang=${lang}`);
        return agent.post('/verificatie').field('_csrf', token).attach('pdf', bytes, 'verklaring.pdf');
      };

      const oneLine = Buffer.concat([pdf, Buffer.from('\n% one more line\n')]);
      const appended = await upload(oneLine);
      assert.equal(appended.status, 200);
      assert.match(appended.text, /data-upload-matched="appended"/);
      assert.match(appended.text, /Het ondertekende deel is echt; er is iets aan toegevoegd/);
      assert.match(appended.text, /zijn 17 bytes toegevoegd/);
      assert.match(appended.text, new RegExp(`verklaring ${issued.number}`));
      assert.match(appended.text, /data-attestation-state="valid"/);
      assert.doesNotMatch(appended.text, /nagemaakt/);
      await assertValidHtml(appended.text, 'upload with bytes appended');

      // An incremental update as a PDF reader writes one: the signature still holds for its part.
      const updated = withIncrementalUpdate(pdf);
      const report = pdfsig(updated);
      assert.match(report, /Signature is Valid\./, report);
      const inEnglish = await upload(updated, 'en');
      assert.match(inEnglish.text, /data-upload-matched="appended"/);
      assert.match(inEnglish.text, /The signed part is genuine; something was appended/);
      assert.doesNotMatch(inEnglish.text, /forged/);
    });

    it('finds an attestation by its number in lower case, on the page and for the PDF', async () => {
      const issued = await givenIssuedAttestation(
        db.dataSource,
        (await givenVerantwoordProvider()).id,
        new Date(),
      );
      const lower = issued.number.toLowerCase();
      const page = await request(app).get(`/verificatie/${lower}`);
      assert.equal(page.status, 301);
      assert.equal(page.headers.location, `/verificatie/${issued.number}`);
      const followed = await request(app).get(String(page.headers.location));
      assert.equal(followed.status, 200);
      assert.match(followed.text, /data-attestation-state="valid"/);
      const pdf = await request(app).get(`/verificatie/${lower}/pdf`);
      assert.equal(pdf.status, 301);
      assert.equal(pdf.headers.location, `/verificatie/${issued.number}/pdf`);
      assert.equal(
        (await request(app).get('/verificatie/vhp-2020-000001')).headers.location,
        '/verificatie/VHP-2020-000001',
      );
    });
  });

  describe('GET /api/v1/verklaringen/{nummer}', () => {
    it('answers as documented, 404 for an unknown number and 400 for a malformed one', async () => {
      // A provider of its own: the shared one is revoked by the tests above.
      const own = await givenVerantwoordProvider();
      const { number } = await givenIssuedAttestation(db.dataSource, own.id, new Date());
      const api = apiClient(app);
      const res = await api.get(`/api/v1/verklaringen/${number}`);
      assert.equal(res.status, 200);
      const answer = verificationDetail.parse(res.body);
      assert.equal(answer.nummer, number);
      assert.equal(answer.hostingprovider.kvkNummer, own.kvkNumber);
      assert.equal(answer.status, 'valid');
      assert.equal(answer.links.pdf.href, `${testConfig.publicBaseUrl}/verificatie/${number}/pdf`);
      const unknown = problemAnswer.parse((await api.get('/api/v1/verklaringen/VHP-2020-000001')).body);
      assert.equal(unknown.code, 'attestationNotFound');
      const malformed = await api.get('/api/v1/verklaringen/VHP-1');
      assert.equal(malformed.status, 400);
      assert.equal(problemAnswer.parse(malformed.body).invalidParams?.[0]?.name, 'nummer');
    });
  });

  async function givenVerantwoordProvider(): Promise<Provider> {
    const version = await givenCodeVersion(db.dataSource);
    const p = await givenProvider(db.dataSource);
    await givenApproval(db.dataSource, p, version, addMonths(new Date(), -1));
    return p;
  }
});

describe('the signing key', () => {
  it('is read from a PKCS#12 file of OpenSSL 3 (PBES2, AES-256-CBC) with its passphrase', async () => {
    const identity = await loadSigningIdentity(fixture('openssl3.p12'), FIXTURE_PASSPHRASE);
    assert.equal(identity.signerName, 'Register Verantwoorde Hostingproviders (test)');
    assert.equal(identity.privateKey.type, 'private');
  });

  it('is refused with a clear message for a wrong passphrase', async () => {
    await assert.rejects(
      loadSigningIdentity(fixture('openssl3.p12'), 'geheim wachtwoord!'),
      /the signing PKCS#12 file cannot be read with this passphrase/,
    );
  });

  it('names SIGNING_P12_FILE when the file is missing, and SIGNING_P12_PASSPHRASE when it does not open it', async () => {
    const clock = new FixedClock('2026-03-01T12:00:00Z');
    const dataDir = tmpdir();
    const missing = path.join(SIGNING_FIXTURES, 'geen-sleutel.p12');
    await assert.rejects(
      signingKeyring({ signingP12File: missing, signingP12Passphrase: 'x', dataDir }, clock)(),
      (error: Error) =>
        error instanceof SettingError && error.message === `SIGNING_P12_FILE: there is no file at ${missing}`,
    );
    await assert.rejects(
      signingKeyring({ signingP12File: SIGNING_FIXTURES, signingP12Passphrase: 'x', dataDir }, clock)(),
      /SIGNING_P12_FILE: cannot read the file \(EISDIR\)/,
    );
    await assert.rejects(
      signingKeyring(
        {
          signingP12File: path.join(SIGNING_FIXTURES, 'openssl3.p12'),
          signingP12Passphrase: 'fout',
          dataDir,
        },
        clock,
      )(),
      /^SettingError: SIGNING_P12_FILE \(.*openssl3\.p12\) with SIGNING_P12_PASSPHRASE: the signing PKCS#12 file cannot be read with this passphrase/,
    );
  });

  it('is refused with a clear message from a legacy (3DES/RC2) file, and from a file that is no PKCS#12', async () => {
    await assert.rejects(
      loadSigningIdentity(fixture('legacy.p12'), FIXTURE_PASSPHRASE),
      /encrypted with a legacy algorithm \(3DES or RC2.*openssl pkcs12 -export/,
    );
    await assert.rejects(
      loadSigningIdentity(Buffer.from('%PDF-1.7'), FIXTURE_PASSPHRASE),
      /not a PKCS#12 file/,
    );
  });

  it('outside production is a development certificate made once under the data folder, valid from four years before now (the demo history goes back 42 months)', async function () {
    this.timeout(60_000); // a 3072-bit RSA key
    const dataDir = mkdtempSync(path.join(tmpdir(), 'vhp-signing-'));
    const config = { signingP12File: undefined, signingP12Passphrase: undefined, dataDir };
    const clock = new FixedClock('2026-03-01T12:00:00Z');
    const first = await signingKeyring(config, clock)();
    assert.equal(first.signerName, 'Register Verantwoorde Hostingproviders (ontwikkeling)');
    assert.equal(first.certificate.notBefore.value.toISOString(), '2022-03-02T12:00:00.000Z');
    const again = await signingKeyring(config, clock)();
    assert.ok(again.certificateDer.equals(first.certificateDer), 'the same certificate, read again');
  });
});

describe('attestations follow expiry, ended AAN participation and a lapsed code version', () => {
  const context = useTestApp();

  const stateOf = async (number: string) =>
    verificationAnswer.parse((await apiClient(context.app).get(`/api/v1/verklaringen/${number}`)).body);
  async function issuedFor(approvedMonthsAgo: number, issuedMonthsAgo: number) {
    const { db } = context;
    const version = await givenCodeVersion(db.dataSource);
    const provider = await givenProvider(db.dataSource);
    await givenApproval(db.dataSource, provider, version, addMonths(new Date(), -approvedMonthsAgo));
    const attestation = await givenIssuedAttestation(
      db.dataSource,
      provider.id,
      addMonths(new Date(), -issuedMonthsAgo),
    );
    return { provider, attestation };
  }

  it('an attestation whose validity has passed is expired, since its end', async () => {
    const { attestation } = await issuedFor(13, 12);
    const answer = await stateOf(attestation.number);
    assert.equal(answer.status, 'expired');
    assert.equal(answer.sinds, attestation.validUntil.toISOString());
  });

  it('ended AAN participation revokes it at the next request', async () => {
    const { provider, attestation } = await issuedFor(2, 1);
    assert.equal((await stateOf(attestation.number)).status, 'valid');
    await givenStatusEvent(context.db.dataSource, {
      providerId: provider.id,
      kind: 'aan_participation_ended',
      effectiveAt: new Date(Date.now() - 1000),
      reason: 'Deelname opgezegd.',
    });
    const answer = await stateOf(attestation.number);
    assert.equal(answer.status, 'revoked');
    assert.equal(answer.reden, 'aan_participation_ended');
    assert.equal(answer.toelichting, 'Deelname opgezegd.');
  });

  it('a code-of-conduct version that lapses revokes it at the next request', async () => {
    const { attestation } = await issuedFor(2, 1);
    assert.equal((await stateOf(attestation.number)).status, 'valid');
    // A successor whose transition period has just ended: the signed version is no longer accepted.
    await givenCodeVersion(context.db.dataSource, {
      publishedAt: addDays(new Date(), -14),
      transitionEndsAt: new Date(Date.now() - 1000),
    });
    const answer = await stateOf(attestation.number);
    assert.equal(answer.status, 'revoked');
    assert.equal(answer.reden, 'code_of_conduct_outdated');
  });
});

describe('demo attestations', () => {
  const demo = useDemoRegister();

  it('show every answer of the verification page', async () => {
    const api = apiClient(demo.app);
    for (const expected of DEMO_ATTESTATIONS) {
      const provider = await api.get(`/api/v1/hostingproviders/${demoKvkOf(expected.provider)}`);
      const [attestation] = providerAnswer.parse(provider.body).verklaringen;
      assert.ok(attestation, `${expected.provider} has an attestation`);
      assert.equal(attestation.status, expected.expected, expected.provider);
      const page = await request(demo.app).get(`/verificatie/${attestation.nummer}`);
      assert.match(page.text, new RegExp(`data-attestation-state="${expected.expected}"`));
    }
  });

  it('give the reason and the reviewer’s explanation apart, without stacked colons, in both languages', async () => {
    const api = apiClient(demo.app);
    const suspended = DEMO_ATTESTATIONS.find((a) => a.expected === 'suspended');
    assert.ok(suspended);
    const provider = await api.get(`/api/v1/hostingproviders/${demoKvkOf(suspended.provider)}`);
    const [attestation] = providerAnswer.parse(provider.body).verklaringen;
    assert.ok(attestation);
    const nl = (await request(demo.app).get(`/verificatie/${attestation.nummer}`)).text;
    assert.match(nl, /<p class="nl-paragraph">Reden: geschorst\.<\/p>/);
    assert.match(nl, /<p class="nl-paragraph">Toelichting: [^:<]+<\/p>/);
    assert.doesNotMatch(nl, /Reden: Niet verantwoord/);
    const en = (await request(demo.app).get(`/verificatie/${attestation.nummer}?lang=en`)).text;
    assert.match(en, /<p class="nl-paragraph">Reason: suspended\.<\/p>/);
    assert.match(en, /<p class="nl-paragraph">Reason given: [^:<]+<\/p>/);
  });
});
