import assert from 'node:assert/strict';
import request from 'supertest';
import { seedDemoData } from '../../src/seed/demo';
import { DEMO_PROVIDERS, demoKvk } from '../../src/seed/demo-data';
import { REASON_CODES } from '../../src/status/status-rules';
import { testApp, testConfig } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { assertValidHtml } from '../helpers/html';
import { givenProvider } from '../factories/provider.factory';
import { must } from '../../src/shared/must';

/** The data-status of each register row, by KvK number. */
function rowStatuses(html: string): Map<string, string> {
  return new Map(
    [...html.matchAll(/data-kvk="(\d{8})" data-status="([a-z_]+)"/g)].map((m) => [
      must(m[1], 'the pattern has two groups'),
      must(m[2], 'the pattern has two groups'),
    ]),
  );
}

describe('the public register', () => {
  let db: TestDatabase;
  let app: ReturnType<typeof testApp>['app'];

  before(async () => {
    db = await createTestDatabase();
    await seedDemoData(db.dataSource, { now: new Date(), config: testConfig });
    app = testApp(db.dataSource).app;
  });
  after(() => db.drop());

  describe('GET /hostingproviders', () => {
    it('lists every demo provider with the status the demo data promises', async () => {
      const res = await request(app).get('/hostingproviders').expect(200);
      const statuses = rowStatuses(res.text);
      assert.equal(statuses.size, DEMO_PROVIDERS.length);
      DEMO_PROVIDERS.forEach((demo, i) =>
        assert.equal(statuses.get(demoKvk(i)), demo.expected, demo.legalName),
      );
      assert.match(res.text, new RegExp(`${DEMO_PROVIDERS.length} hostingproviders`));
    });

    it('shows every reason code of the status rules among the demo providers', () => {
      const shown = new Set(DEMO_PROVIDERS.map((d) => d.expected));
      for (const code of ['verantwoord', ...REASON_CODES]) {
        assert.ok(shown.has(code), code);
      }
    });

    it('shows the status in words next to a symbol, not by colour alone', async () => {
      const res = await request(app).get('/hostingproviders').expect(200);
      assert.match(res.text, /aria-hidden="true">✓<\/span> Verantwoord/);
      assert.match(res.text, /aria-hidden="true">✕<\/span> Niet verantwoord: geschorst/);
    });

    it('is valid HTML in both languages', async () => {
      await assertValidHtml((await request(app).get('/hostingproviders')).text, 'register (nl)');
      await assertValidHtml((await request(app).get('/hostingproviders?lang=en')).text, 'register (en)');
    });
  });

  describe('pagination', () => {
    let paged: TestDatabase;
    before(async () => {
      paged = await createTestDatabase();
      for (let i = 0; i < 27; i++)
        await givenProvider(paged.dataSource, { legalName: `Paginatest ${String(i).padStart(2, '0')} B.V.` });
    });
    after(() => paged.drop());

    it('shows 25 providers a page, in name order, with a link to the next page', async () => {
      const res = await request(testApp(paged.dataSource).app).get('/hostingproviders').expect(200);
      assert.equal(rowStatuses(res.text).size, 25);
      assert.match(res.text, /Paginatest 00 B\.V\./);
      assert.doesNotMatch(res.text, /Paginatest 25 B\.V\./);
      assert.match(res.text, /rel="next" href="\/hostingproviders\?sort&#x3D;name&amp;page&#x3D;2"/);
      assert.match(res.text, /Pagina 1 van 2/);
    });

    it('shows the rest on page 2', async () => {
      const res = await request(testApp(paged.dataSource).app).get('/hostingproviders?page=2').expect(200);
      assert.equal(rowStatuses(res.text).size, 2);
      assert.match(res.text, /rel="prev" href="\/hostingproviders\?sort&#x3D;name&amp;page&#x3D;1"/);
    });

    for (const [raw, expected] of [
      ['0', 1],
      ['-3', 1],
      ['abc', 1],
      ['1e3', 1],
      // A whole number past the end, however long, is the last page, as `999` is.
      ['99999999999999999999', 2],
      ['000000000000000000002', 2],
      ['999', 2],
      ['2.5', 1],
    ] as const) {
      it(`clamps ?page=${raw} to page ${expected}`, async () => {
        const res = await request(testApp(paged.dataSource).app)
          .get(`/hostingproviders?page=${encodeURIComponent(raw)}`)
          .expect(200);
        assert.match(res.text, new RegExp(`Pagina ${expected} van 2`));
      });
    }

    it('takes the first of a repeated page parameter as no page at all', async () => {
      const res = await request(testApp(paged.dataSource).app)
        .get('/hostingproviders?page=2&page=3')
        .expect(200);
      assert.match(res.text, /Pagina 1 van 2/);
    });
  });

  describe('GET /hostingproviders/:kvkNumber', () => {
    it('shows identity, current status with its reason, and the history newest first', async () => {
      const index = DEMO_PROVIDERS.findIndex((d) => d.legalName.startsWith('Grachtengordel'));
      const demo = must(DEMO_PROVIDERS[index], 'a demo provider suspended once');
      const suspension = must(
        demo.steps.find((s) => s.action === 'suspend'),
        'the demo provider has a suspension',
      );
      const res = await request(app)
        .get(`/hostingproviders/${demoKvk(index)}`)
        .expect(200);
      assert.match(res.text, new RegExp(`<h1[^>]*>${demo.legalName.replace(/\./g, '\\.')}</h1>`));
      assert.match(res.text, /data-status="suspended"/);
      assert.match(res.text, /De vermelding is geschorst door een beoordelaar\./);
      assert.ok(
        res.text.includes(must(suspension.action === 'suspend' ? suspension.reason : undefined, 'a reason')),
        'the suspension reason is shown',
      );
      const kinds = [
        ...res.text.matchAll(/<th scope="row" class="utrecht-table__header-cell">([^<]+)<\/th>/g),
      ].map((m) => m[1]);
      assert.deepEqual(kinds, ['Geschorst', 'Vermelding goedgekeurd', 'Aanvraag ingediend']);
      assert.match(res.text, /Gedragscode versie 2\.0/);
      await assertValidHtml(res.text, 'provider page');
    });

    it('shows the planned end of a suspension', async () => {
      const index = DEMO_PROVIDERS.findIndex((d) =>
        d.steps.some((s) => s.action === 'suspend' && s.suspendedForMonths !== undefined),
      );
      const res = await request(app)
        .get(`/hostingproviders/${demoKvk(index)}?lang=en`)
        .expect(200);
      assert.match(res.text, /Planned until/);
    });

    it('shows a provider without any history', async () => {
      const index = DEMO_PROVIDERS.findIndex((d) => d.steps.every((s) => s.action === 'confirm_identity'));
      const res = await request(app)
        .get(`/hostingproviders/${demoKvk(index)}`)
        .expect(200);
      assert.match(res.text, /Er zijn nog geen statuswijzigingen\./);
      assert.match(res.text, /data-status="not_listed"/);
      await assertValidHtml(res.text, 'provider page without history');
    });

    it('answers 404 inside the layout for an unknown KvK number', async () => {
      const res = await request(app).get('/hostingproviders/12345678').expect(404);
      assert.match(res.text, /Pagina niet gevonden/);
      await assertValidHtml(res.text, '404 page');
    });

    for (const bad of [
      '1234',
      'abcdefgh',
      '123456789',
      '%E2%98%83',
      "1' OR '1'='1",
      '%00',
      '..%2F..%2Fetc',
    ]) {
      it(`answers 404, not 500, for the malformed KvK number ${bad}`, async () => {
        await request(app).get(`/hostingproviders/${bad}`).expect(404);
      });
    }
  });

  describe('language', () => {
    it('is Dutch by default with <html lang="nl"> and a link to English', async () => {
      const res = await request(app).get('/').expect(200);
      assert.match(res.text, /<html lang="nl"/);
      assert.match(res.text, /href="\/\?lang&#x3D;en" hreflang="en"/);
    });

    it('switches to English with ?lang=en and remembers it in a cookie', async () => {
      const agent = request.agent(app);
      const first = await agent.get('/hostingproviders?lang=en').expect(200);
      assert.match(first.text, /<html lang="en"/);
      assert.match(first.text, /Register of hosting providers/);
      assert.match(String(first.headers['set-cookie']), /lang=en;.*HttpOnly/i);
      const next = await agent.get('/toegankelijkheid').expect(200);
      assert.match(next.text, /<html lang="en"/);
      assert.match(next.text, /Accessibility statement/);
      const back = await agent.get('/toegankelijkheid?lang=nl').expect(200);
      assert.match(back.text, /<html lang="nl"/);
    });

    it('keeps the rest of the query in the switch link', async () => {
      const res = await request(app).get('/hostingproviders?page=1').expect(200);
      assert.match(res.text, /href="\/hostingproviders\?page&#x3D;1&amp;lang&#x3D;en"/);
    });

    it('ignores an unknown language', async () => {
      const res = await request(app).get('/?lang=xx').expect(200);
      assert.match(res.text, /<html lang="nl"/);
    });
  });

  describe('fixed pages', () => {
    for (const path of [
      '/',
      '/toegankelijkheid',
      '/privacy',
      '/api-documentatie',
      '/open-data',
      '/verificatie',
    ]) {
      for (const lang of ['nl', 'en']) {
        it(`GET ${path} in ${lang} is valid HTML with one main landmark, a skip link and footer links`, async () => {
          const res = await request(app).get(`${path}?lang=${lang}`).expect(200);
          assert.equal(res.text.match(/<main/g)?.length, 1);
          assert.match(res.text, /class="nl-skip-link[^"]*" href="#inhoud"/);
          assert.match(res.text, /href="\/toegankelijkheid"/);
          assert.match(res.text, /href="\/privacy"/);
          await assertValidHtml(res.text, `${path} (${lang})`);
        });
      }
    }
  });

  describe('security headers', () => {
    it('sends a Content-Security-Policy without inline script or style, and the other strict headers', async () => {
      const res = await request(app).get('/hostingproviders').expect(200);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /style-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'same-origin');
      assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
      assert.equal(res.headers['x-powered-by'], undefined);
      assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    });

    it('has no inline script or style in its pages', async () => {
      const res = await request(app).get('/hostingproviders').expect(200);
      assert.doesNotMatch(res.text, /<script|<style|style="/);
    });

    it('serves its style sheets itself', async () => {
      for (const sheet of [
        '/assets/nlds/design-tokens.css',
        '/assets/nlds/components.css',
        '/assets/css/app.css',
      ]) {
        const res = await request(app).get(sheet).expect(200);
        assert.match(String(res.headers['content-type']), /text\/css/);
      }
      await request(app).get('/assets/nope.css').expect(404);
    });
  });
});
