import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { givenProvider, givenStatusEvent } from '../factories/provider.factory';
import { useTestApp } from '../helpers/app';
import { downloadText } from '../helpers/audit-log';
import { onPath, requireTool } from '../helpers/tools';

const ATOM_SCHEMA = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'atom.rnc');
const BASE = 'http://register.test';
const FEED = '/open-data/statuswijzigingen.atom';

/** An Atom document as text (supertest keeps XML as a buffer otherwise). */
const getXml = (app: Parameters<typeof request>[0], url: string, headers: Record<string, string> = {}) =>
  downloadText(request(app), url).set(headers);

const linkOf = (xml: string, rel: string) =>
  new RegExp(`<link rel="${rel}" type="application/atom\\+xml" href="([^"]+)"/>`).exec(xml)?.[1];
const entryIds = (xml: string) =>
  [...xml.matchAll(/<id>tag:[^<]+:statuswijziging:(\d+)<\/id>/g)].map((m) => Number(m[1]));

function assertValidAtom(xml: string, what: string) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'atom-')), 'feed.xml');
  writeFileSync(file, xml);
  try {
    execFileSync('jing', ['-c', ATOM_SCHEMA, file], { stdio: 'pipe' });
  } catch (error) {
    assert.fail(`${what} does not validate as Atom:\n${String((error as { stdout?: Buffer }).stdout)}`);
  }
}

describe('the Atom feed as archived feeds (RFC 5005 §4)', function () {
  const ctx = useTestApp();
  let kvkNumber: string;

  before(async function () {
    requireTool(this, onPath('jing'), 'jing not found: install it with "apt-get install jing".');
    const provider = await givenProvider(ctx.db.dataSource);
    kvkNumber = provider.kvkNumber;
    for (let i = 0; i < 250; i++) {
      await givenStatusEvent(ctx.db.dataSource, {
        providerId: provider.id,
        kind: i % 2 === 0 ? 'application_submitted' : 'application_withdrawn',
        effectiveAt: new Date(),
      });
    }
  });

  it('links the subscription document to complete archive pages that together keep every change', async () => {
    const all = (
      await ctx.db.dataSource.query<{ id: string }[]>(
        'SELECT e.id::text AS id FROM status_events e ORDER BY e.id',
      )
    ).map((r) => Number(r.id));
    assert.equal(all.length, 250);

    const subscription = (await getXml(ctx.app, FEED).expect(200)).body as string;
    assertValidAtom(subscription, 'the subscription document');
    assert.deepEqual(entryIds(subscription), all.slice(-100).reverse());
    assert.doesNotMatch(subscription, /fh:archive\/>/);
    assert.equal(linkOf(subscription, 'prev-archive'), `${BASE}/open-data/statuswijzigingen/archief/2.atom`);
    assert.equal(linkOf(subscription, 'next-archive'), undefined);

    const second = (await getXml(ctx.app, '/open-data/statuswijzigingen/archief/2.atom').expect(200))
      .body as string;
    assertValidAtom(second, 'archive page 2');
    assert.match(second, /<fh:archive\/>/);
    assert.equal(linkOf(second, 'current'), `${BASE}${FEED}`);
    assert.equal(linkOf(second, 'self'), `${BASE}/open-data/statuswijzigingen/archief/2.atom`);
    assert.equal(linkOf(second, 'prev-archive'), `${BASE}/open-data/statuswijzigingen/archief/1.atom`);
    assert.equal(linkOf(second, 'next-archive'), undefined);
    assert.deepEqual(entryIds(second), all.slice(100, 200).reverse());

    const first = (await getXml(ctx.app, '/open-data/statuswijzigingen/archief/1.atom').expect(200))
      .body as string;
    assertValidAtom(first, 'archive page 1');
    assert.equal(linkOf(first, 'prev-archive'), undefined);
    assert.equal(linkOf(first, 'next-archive'), `${BASE}/open-data/statuswijzigingen/archief/2.atom`);
    assert.deepEqual(entryIds(first), all.slice(0, 100).reverse());

    // Nothing older than the newest 100 is lost: the documents together hold every change once or more.
    assert.deepEqual(
      [...new Set([...entryIds(first), ...entryIds(second), ...entryIds(subscription)])].sort(
        (a, b) => a - b,
      ),
      all,
    );
    // One feed: every document carries the subscription document's id.
    for (const xml of [first, second])
      assert.match(xml, new RegExp(`<feed [^>]*>\\s*<id>${BASE}${FEED}</id>`));
  });

  it('gives each entry the KvK number and the API link, and the change from and to', async () => {
    const xml = (await getXml(ctx.app, FEED).expect(200)).body as string;
    const entry = xml.slice(xml.indexOf('<entry>'), xml.indexOf('</entry>'));
    assert.match(
      entry,
      new RegExp(
        `<category scheme="${BASE}/open-data#kvkNummer" term="${kvkNumber}" label="KvK ${kvkNumber}"/>`,
      ),
    );
    assert.match(
      entry,
      new RegExp(
        `<link rel="related" type="application/json" href="${BASE}/api/v1/hostingproviders/${kvkNumber}"/>`,
      ),
    );
    assert.match(
      entry,
      /Van Niet verantwoord: aanvraag in behandeling naar Niet verantwoord: niet vermeld\./,
    );
  });

  it('answers 404 for a page that is not complete yet, or is no page', async () => {
    for (const page of ['3', '0', '01', 'x', '99999999999']) {
      await request(ctx.app).get(`/open-data/statuswijzigingen/archief/${page}.atom`).expect(404);
    }
  });

  it('lets caches keep an archive page with a successor long, the others briefly, and answers 304 when unchanged', async () => {
    const full = await getXml(ctx.app, '/open-data/statuswijzigingen/archief/1.atom').expect(200);
    assert.equal(full.headers['cache-control'], 'public, max-age=604800, immutable');
    const newest = await getXml(ctx.app, '/open-data/statuswijzigingen/archief/2.atom').expect(200);
    assert.equal(newest.headers['cache-control'], 'public, max-age=60, must-revalidate');
    const subscription = await getXml(ctx.app, FEED).expect(200);
    assert.equal(subscription.headers['cache-control'], 'public, max-age=60, must-revalidate');
    const again = await getXml(ctx.app, FEED).expect(200);
    assert.ok(subscription.headers.etag);
    assert.equal(again.headers.etag, subscription.headers.etag);
    assert.equal(again.headers['last-modified'], subscription.headers['last-modified']);
    await getXml(ctx.app, FEED, { 'If-None-Match': String(subscription.headers.etag) }).expect(304);
    await getXml(ctx.app, FEED, {
      'If-Modified-Since': String(subscription.headers['last-modified']),
    }).expect(304);
    // With a cookie (a session, a chosen language) it stays out of shared caches.
    const withCookie = await getXml(ctx.app, FEED, { Cookie: 'lang=en' }).expect(200);
    assert.equal(withCookie.headers['cache-control'], 'no-store');
  });
});
