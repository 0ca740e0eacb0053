import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { Evidence } from '../../src/application/evidence.entity';
import { simplePdf } from '../../src/seed/demo-pdf';
import { readSettings, updateSettings } from '../../src/settings/settings.service';
import { givenUser } from '../factories/user.factory';
import { testConfig, useTestApp } from '../helpers/app';
import { type Agent, csrfFrom, signedIn, signedInApplicant, tokenFor } from '../helpers/session';

const MB = 1024 * 1024;
const BOUNDARY = '----vhp-test-boundary';

interface Browser {
  cookie: string;
  token: string;
}

/** An anonymous browser's cookies and token, from the verification page. */
async function anonymousBrowser(app: Express): Promise<Browser> {
  const res = await request(app).get('/verificatie');
  const cookies = (res.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]);
  return { cookie: cookies.join('; '), token: csrfFrom(res.text) };
}

/**
 * Sends a multipart upload of `fileBytes` bytes, generated while sending (the test process holds
 * one 64 kB chunk, not the file), and answers the status. The server may answer before the body
 * is complete; the rest is then sent into the void.
 */
function streamedUpload(port: number, path: string, fileBytes: number, browser?: Browser): Promise<number> {
  return new Promise((resolve, reject) => {
    let status: number | undefined;
    const req = http.request({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      headers: {
        'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        ...(browser ? { Cookie: browser.cookie } : {}),
      },
    });
    req.on('response', (res) => {
      status = res.statusCode;
      res.resume();
      res.on('end', () => resolve(status!));
    });
    // The server may close its side once it answered; the status already arrived then.
    req.on('error', (error) => (status ? resolve(status) : reject(error)));
    const head =
      (browser
        ? `--${BOUNDARY}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${browser.token}\r\n`
        : '') +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="pdf"; filename="big.pdf"\r\n` +
      'Content-Type: application/pdf\r\n\r\n%PDF-1.7\n';
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    req.write(head);
    const pump = () => {
      while (sent < fileBytes) {
        if (status) return void req.end();
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end(`\r\n--${BOUNDARY}--\r\n`);
    };
    pump();
  });
}

/** Runs `work` and answers by how much the process' resident memory peaked above where it started. */
async function peakRssGrowth(work: () => Promise<void>): Promise<number> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage().rss) - start;
}

describe('uploads: nobody unknown makes the register read or keep a body', () => {
  const context = useTestApp();
  let server: http.Server;
  let port: number;

  before((done) => {
    server = context.app.listen(0, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      done();
    });
  });
  after((done) => void server.close(() => done()));

  describe('POST /verificatie', () => {
    // Loading code and growing the heap once is no cost of the uploads measured below.
    before(async () => {
      const browser = await anonymousBrowser(context.app);
      await Promise.all([
        streamedUpload(port, '/verificatie', MB),
        streamedUpload(port, '/verificatie', 3 * MB, browser),
      ]);
    });

    it('refuses 40 parallel anonymous 10 MB uploads without a token (403) before reading them, with little memory', async function () {
      this.timeout(120_000);
      let statuses: number[] = [];
      const growth = await peakRssGrowth(async () => {
        statuses = await Promise.all(
          Array.from({ length: 40 }, () => streamedUpload(port, '/verificatie', 10 * MB)),
        );
      });
      assert.deepEqual([...new Set(statuses)], [403]);
      assert.ok(growth < 50 * MB, `resident memory grew by ${Math.round(growth / MB)} MB`);
    });

    it('refuses 40 parallel anonymous 10 MB uploads with a token at 2 MB (400), keeping nothing of them', async function () {
      this.timeout(120_000);
      const browser = await anonymousBrowser(context.app);
      let statuses: number[] = [];
      const growth = await peakRssGrowth(async () => {
        statuses = await Promise.all(
          Array.from({ length: 40 }, () => streamedUpload(port, '/verificatie', 10 * MB, browser)),
        );
      });
      assert.deepEqual([...new Set(statuses)], [400]);
      assert.ok(growth < 50 * MB, `resident memory grew by ${Math.round(growth / MB)} MB`);
    });

    it('says in words that the file is over 2 MB', async () => {
      const browser = await anonymousBrowser(context.app);
      const res = await request(context.app)
        .post('/verificatie')
        .set('Cookie', browser.cookie)
        .field('_csrf', browser.token)
        .attach('pdf', Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2 * MB)]), 'groot.pdf');
      assert.equal(res.status, 400);
      assert.match(res.text, /groter dan 2 MB/);
      assert.match(res.text, /Pdf-bestand van de verklaring/, 'the error summary names the PDF field');
    });

    it('refuses a file sent before the token (403), even when a valid token follows', async () => {
      const browser = await anonymousBrowser(context.app);
      const res = await request(context.app)
        .post('/verificatie')
        .set('Cookie', browser.cookie)
        .attach('pdf', simplePdf('x'), 'x.pdf')
        .field('_csrf', browser.token);
      assert.equal(res.status, 403);
    });

    it('refuses a second file (400)', async () => {
      const browser = await anonymousBrowser(context.app);
      const res = await request(context.app)
        .post('/verificatie')
        .set('Cookie', browser.cookie)
        .field('_csrf', browser.token)
        .attach('pdf', simplePdf('x'), 'x.pdf')
        .attach('pdf', simplePdf('y'), 'y.pdf');
      assert.equal(res.status, 400);
      assert.match(res.text, /stuur één bestand tegelijk/);
    });

    it('still checks a small PDF by its hash (not issued here: said so, 200)', async () => {
      const browser = await anonymousBrowser(context.app);
      const res = await request(context.app)
        .post('/verificatie')
        .set('Cookie', browser.cookie)
        .field('_csrf', browser.token)
        .attach('pdf', simplePdf('not an attestation'), 'verklaring.pdf');
      assert.equal(res.status, 200);
      assert.match(res.text, /verklaring\.pdf/);
    });
  });

  describe('POST /aanvragen/:id/bewijsstukken', () => {
    let provider: Agent;
    let applicationId: string;

    before(async () => {
      ({ agent: provider, applicationId } = await signedInApplicant(context.app, context.db.dataSource));
    });

    const upload = async (content: Buffer, name = 'bewijs.pdf') => {
      const token = await tokenFor(provider, `/aanvragen/${applicationId}`);
      return provider
        .post(`/aanvragen/${applicationId}/bewijsstukken`)
        .field('_csrf', token)
        .field('kind', 'other')
        .attach('file', content, name);
    };
    const held = () => context.db.dataSource.getRepository(Evidence).countBy({ applicationId });

    it('refuses an anonymous upload before reading it (403)', async function () {
      this.timeout(30_000);
      const status = await streamedUpload(port, `/aanvragen/${applicationId}/bewijsstukken`, 10 * MB);
      assert.equal(status, 403);
    });

    it('caps the number of evidence files per application (a setting), naming the limit', async () => {
      await updateSettings(
        context.db.dataSource,
        testConfig,
        'test',
        {
          ...(await readSettings(context.db.dataSource.manager, testConfig)),
          listingValidityMonths: 12,
          reminderDays: [90, 30, 7],
          evidenceMaxFiles: 2,
          evidenceMaxTotalMb: 50,
        },
        new Date(),
      );
      assert.equal((await upload(simplePdf('1'))).status, 303);
      assert.equal((await upload(simplePdf('2'))).status, 303);
      const third = await upload(simplePdf('3'));
      assert.equal(third.status, 400);
      assert.match(third.text, /al het maximum van 2 bewijsstukken/);
      assert.equal(await held(), 2);
    });

    it('caps the total size of evidence per application (a setting), naming the limit', async () => {
      await updateSettings(
        context.db.dataSource,
        testConfig,
        'test',
        {
          ...(await readSettings(context.db.dataSource.manager, testConfig)),
          listingValidityMonths: 12,
          reminderDays: [90, 30, 7],
          evidenceMaxFiles: 20,
          evidenceMaxTotalMb: 1,
        },
        new Date(),
      );
      const big = Buffer.concat([simplePdf('groot'), Buffer.alloc(1100 * 1024, 0x20)]);
      const res = await upload(big);
      assert.equal(res.status, 400);
      assert.match(res.text, /meer dan het maximum van 1 MB per aanvraag/);
      assert.equal(await held(), 2);
    });
  });

  describe('malformed forms, from someone with a valid token', () => {
    const B = 'vhp-malformed';
    const part = (disposition: string, value: string | Buffer) =>
      Buffer.concat([
        Buffer.from(`--${B}\r\nContent-Disposition: form-data; ${disposition}\r\n\r\n`),
        Buffer.from(value),
        Buffer.from('\r\n'),
      ]);
    const send = (agent: Agent, url: string, parts: Buffer[]) =>
      agent
        .post(url)
        .set('Content-Type', `multipart/form-data; boundary=${B}`)
        .send(Buffer.concat([...parts, Buffer.from(`--${B}--\r\n`)]));
    const manyFields = Array.from({ length: 300 }, (_, i) => part(`name="f${i}"`, 'x'));
    let provider: Agent;
    let applicationId: string;

    before(async () => {
      ({ agent: provider, applicationId } = await signedInApplicant(context.app, context.db.dataSource));
    });

    it('answers 300 fields with 413 and a message about the form, not the file ("Gegevens opslaan" and /verificatie)', async () => {
      const token = await tokenFor(provider, `/aanvragen/${applicationId}`);
      const save = await send(provider, `/aanvragen/${applicationId}`, [
        part('name="_csrf"', token),
        ...manyFields,
      ]);
      assert.equal(save.status, 413);
      assert.match(save.text, /meer velden of onderdelen dan een formulier van het register heeft/);
      assert.doesNotMatch(save.text, /kies een pdf-bestand/);

      const browser = await anonymousBrowser(context.app);
      const verification = await request(context.app)
        .post('/verificatie')
        .set('Cookie', browser.cookie)
        .set('Content-Type', `multipart/form-data; boundary=${B}`)
        .send(
          Buffer.concat([part('name="_csrf"', browser.token), ...manyFields, Buffer.from(`--${B}--\r\n`)]),
        );
      assert.equal(verification.status, 413);
      assert.match(verification.text, /meer velden of onderdelen/);
    });

    it('refuses a file whose name holds a raw NUL with a message about the name, keeping nothing', async () => {
      const token = await tokenFor(provider, `/aanvragen/${applicationId}`);
      const before = await context.db.dataSource.getRepository(Evidence).countBy({ applicationId });
      const res = await send(provider, `/aanvragen/${applicationId}/bewijsstukken`, [
        part('name="_csrf"', token),
        part('name="kind"', 'other'),
        Buffer.concat([
          Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="a\u0000b.pdf"\r\n`),
          Buffer.from('Content-Type: application/pdf\r\n\r\n'),
          simplePdf('nul'),
          Buffer.from('\r\n'),
        ]),
      ]);
      assert.equal(res.status, 400);
      assert.match(res.text, /id="error-file"/);
      assert.match(res.text, /onzichtbaar teken in de naam van het bestand/);
      assert.doesNotMatch(res.text, /kies een pdf-bestand/);
      assert.equal(await context.db.dataSource.getRepository(Evidence).countBy({ applicationId }), before);
    });

    it('takes a file whose encoded name (filename*) holds a NUL or an override, without those characters', async () => {
      const token = await tokenFor(provider, `/aanvragen/${applicationId}`);
      const res = await send(provider, `/aanvragen/${applicationId}/bewijsstukken`, [
        part('name="_csrf"', token),
        part('name="kind"', 'other'),
        part(`name="file"; filename*=utf-8''nul%00en%E2%80%AEomgekeerd.pdf`, simplePdf('genaamd')),
      ]);
      assert.equal(res.status, 303, res.text.slice(0, 300));
      const [latest] = await context.db.dataSource
        .getRepository(Evidence)
        .find({ where: { applicationId }, order: { createdAt: 'DESC' }, take: 1 });
      assert.equal(latest?.filename, 'nulenomgekeerd.pdf');

      const browser = await anonymousBrowser(context.app);
      const shown = await request(context.app)
        .post('/verificatie')
        .set('Cookie', browser.cookie)
        .set('Content-Type', `multipart/form-data; boundary=${B}`)
        .send(
          Buffer.concat([
            part('name="_csrf"', browser.token),
            part(`name="pdf"; filename*=utf-8''ver%00klaring.pdf`, simplePdf('niet uitgegeven')),
            Buffer.from(`--${B}--\r\n`),
          ]),
        );
      assert.equal(shown.status, 200);
      assert.match(shown.text, /verklaring\.pdf/);
      assert.ok(!shown.text.includes('\u0000'), 'no NUL on the page');
    });
  });

  describe('GET and POST /beheer/instellingen', () => {
    const otherSettings = {
      organisationName: testConfig.organisationName,
      contactEmail: testConfig.contactEmail,
      reviewerNotification: testConfig.reviewerNotification,
    };
    it('shows and saves the evidence caps', async () => {
      const admin = await signedIn(context.app, await givenUser(context.db.dataSource, 'admin'));
      const page = await admin.get('/beheer/instellingen');
      assert.match(page.text, /id="field-evidenceMaxFiles"[^>]*value="20"/);
      const refused = await admin
        .post('/beheer/instellingen')
        .type('form')
        .send({
          _csrf: csrfFrom(page.text),
          listingValidityMonths: '12',
          reminderDays: '90, 30, 7',
          evidenceMaxFiles: '0',
          evidenceMaxTotalMb: 'veel',
          ...otherSettings,
        });
      assert.equal(refused.status, 400);
      assert.match(refused.text, /geef een geheel aantal bestanden van 1 tot en met 500/);
      assert.match(refused.text, /value="veel"/);
      const saved = await admin
        .post('/beheer/instellingen')
        .type('form')
        .send({
          _csrf: csrfFrom(page.text),
          listingValidityMonths: '12',
          reminderDays: '90, 30, 7',
          evidenceMaxFiles: '30',
          evidenceMaxTotalMb: '80',
          ...otherSettings,
        });
      assert.equal(saved.status, 303);
      assert.match(
        (await admin.get('/beheer/instellingen')).text,
        /id="field-evidenceMaxTotalMb"[^>]*value="80"/,
      );
    });
  });
});
