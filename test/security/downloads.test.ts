import assert from 'node:assert/strict';
import { Evidence } from '../../src/application/evidence.entity';
import { simplePdf } from '../../src/seed/demo-pdf';
import { useTestApp } from '../helpers/app';
import { type Agent, signedInApplicant, tokenFor } from '../helpers/session';
import { must } from '../../src/shared/must';

/** The uploaded name and the name the download must carry. */
const NAMES: [string, string][] = [
  ['evil.html', 'evil.pdf'],
  ['x.pdf.exe', 'x.pdf'],
  // Browsers (and the test client) send a quote in a multipart file name as %22, as HTML says.
  ['a"b.pdf', 'a%22b.pdf'],
  ['../../etc/passwd', 'passwd.pdf'],
  ['..\\..\\windows\\win.ini', 'win.pdf'],
  ['’s-Hertogenbosch café.pdf', '’s-Hertogenbosch café.pdf'],
  ['tab\tnew\u202Eline.svg', 'tabnewline.pdf'],
  ['.htaccess', 'bewijsstuk.pdf'],
];

/** The file name a browser takes from Content-Disposition: filename* (RFC 6266/5987) first. */
function downloadName(header: string): string {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header)?.[1];
  if (star) return decodeURIComponent(star);
  return fallbackName(header);
}

/** The plain filename parameter: a token or a quoted string. */
function fallbackName(header: string): string {
  const plain = /filename=(?:"((?:[^"\\]|\\.)*)"|([^;\s"]+))/.exec(header);
  assert.ok(plain, `no file name in ${header}`);
  return plain[1] !== undefined
    ? plain[1].replace(/\\(.)/g, '$1')
    : must(plain[2], 'a token when not quoted');
}

describe('GET /aanvragen/:id/bewijsstukken/:evidenceId', () => {
  const context = useTestApp();
  let provider: Agent;
  let applicationId: string;

  before(async () => {
    ({ agent: provider, applicationId } = await signedInApplicant(context.app, context.db.dataSource));
  });

  for (const [uploaded, expected] of NAMES) {
    it(`serves evidence uploaded as ${JSON.stringify(uploaded)} as ${JSON.stringify(expected)}, a PDF attachment`, async () => {
      const token = await tokenFor(provider, `/aanvragen/${applicationId}`);
      const upload = await provider
        .post(`/aanvragen/${applicationId}/bewijsstukken`)
        .field('_csrf', token)
        .field('kind', 'other')
        .attach('file', simplePdf(uploaded), { filename: uploaded, contentType: 'text/html' });
      assert.equal(upload.status, 303);
      const [evidence] = await context.db.dataSource
        .getRepository(Evidence)
        .find({ where: { applicationId }, order: { createdAt: 'DESC' }, take: 1 });
      assert.ok(evidence, 'the upload is stored');
      assert.equal(evidence.filename, expected);
      const res = await provider.get(`/aanvragen/${applicationId}/bewijsstukken/${evidence.id}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/pdf');
      assert.equal(res.headers['cache-control'], 'private, no-store');
      const disposition = String(res.headers['content-disposition']);
      assert.match(disposition, /^attachment;/);
      assert.equal(downloadName(disposition), expected);
      // The plain fallback, for browsers without filename*, ends in .pdf too and has no raw quote.
      const fallback = fallbackName(disposition);
      assert.match(fallback, /\.pdf$/);
      // Nothing outside printable ASCII in the header itself (filename* carries the rest encoded).
      assert.match(disposition, /^[\x20-\x7e]+$/);
    });
  }

  it('makes a stored name that predates this rule a .pdf on the way out', async () => {
    const [evidence] = await context.db.dataSource
      .getRepository(Evidence)
      .find({ where: { applicationId }, take: 1 });
    assert.ok(evidence, 'the application has evidence');
    await context.db.dataSource.getRepository(Evidence).update(evidence.id, { filename: 'oud.html' });
    const res = await provider.get(`/aanvragen/${applicationId}/bewijsstukken/${evidence.id}`);
    assert.equal(downloadName(String(res.headers['content-disposition'])), 'oud.pdf');
    // A raw quote (only possible in an old row) is escaped, never ends the parameter.
    await context.db.dataSource.getRepository(Evidence).update(evidence.id, { filename: 'a"b.html' });
    const quoted = await provider.get(`/aanvragen/${applicationId}/bewijsstukken/${evidence.id}`);
    assert.equal(downloadName(String(quoted.headers['content-disposition'])), 'a"b.pdf');
    assert.equal(fallbackName(String(quoted.headers['content-disposition'])), 'a"b.pdf');
  });
});
