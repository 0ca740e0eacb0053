import assert from 'node:assert/strict';
import request, { type Response } from 'supertest';
import { API_EXAMPLES } from '../../src/api/api.examples';
import type {
  Controle,
  Hostingprovider,
  HostingproviderLijst,
  Probleem,
  Statuswijzigingen,
} from '../../src/api/api.schemas';
import { type OpenApiDocument, openApiDocument } from '../../src/api/openapi';
import { addDays, toLocalDate } from '../../src/shared/time';
import { PROBLEM_CODES } from '../../src/api/problem';
import { apiClient, apiDocument, assertValid, bodyOf, schemaValidator } from '../helpers/api';
import { assertValidHtml } from '../helpers/html';
import { testConfig } from '../helpers/app';
import { demoKvkOf, useDemoRegister } from '../helpers/demo';

const BASE = `${testConfig.publicBaseUrl}/api/v1`;

const invalidNames = (res: Response) =>
  (bodyOf<Probleem>(res).invalidParams ?? []).map((p) => `${p.name}:${p.code}`);

describe('JSON API v1', () => {
  const demo = useDemoRegister();
  const api = () => apiClient(demo.app);
  const today = () => toLocalDate(new Date());

  describe('GET /api/v1/hostingproviders', () => {
    it('lists the whole register by name, paged, with links in the body and the Link header', async () => {
      const res = await api().get('/api/v1/hostingproviders?paginaGrootte=5');
      assert.equal(res.status, 200);
      assert.equal(bodyOf<HostingproviderLijst>(res).paginering.totaal, 14);
      assert.equal(bodyOf<HostingproviderLijst>(res).paginering.aantalPaginas, 3);
      assert.equal(bodyOf<HostingproviderLijst>(res).hostingproviders.length, 5);
      const names = bodyOf<HostingproviderLijst>(res).hostingproviders.map((p: { naam: string }) => p.naam);
      assert.deepEqual(
        names,
        [...names].sort((a, b) => a.localeCompare(b)),
      );
      assert.equal(
        bodyOf<HostingproviderLijst>(res).links.next?.href,
        `${BASE}/hostingproviders?paginaGrootte=5&pagina=2`,
      );
      assert.equal(
        bodyOf<HostingproviderLijst>(res).links.last.href,
        `${BASE}/hostingproviders?paginaGrootte=5&pagina=3`,
      );
      assert.equal(bodyOf<HostingproviderLijst>(res).links.prev, undefined);
      assert.match(String(res.headers.link), /rel="next"/);
      assert.equal(res.headers['access-control-allow-origin'], '*');

      const last = await api().get('/api/v1/hostingproviders?paginaGrootte=5&pagina=3');
      assert.equal(bodyOf<HostingproviderLijst>(last).hostingproviders.length, 4);
      assert.equal(bodyOf<HostingproviderLijst>(last).links.next, undefined);
      assert.equal(
        bodyOf<HostingproviderLijst>(last).links.prev?.href,
        `${BASE}/hostingproviders?paginaGrootte=5&pagina=2`,
      );
    });

    it('finds a provider by a misspelt name and keeps the search in every link', async () => {
      const res = await api().get('/api/v1/hostingproviders?zoekterm=polderwlk');
      assert.equal(res.status, 200);
      assert.equal(bodyOf<HostingproviderLijst>(res).hostingproviders[0]?.kvkNummer, demoKvkOf('Polderwolk'));
      assert.equal(bodyOf<HostingproviderLijst>(res).hostingproviders[0]?.status.code, 'verantwoord');
      assert.match(bodyOf<HostingproviderLijst>(res).links.self.href, /zoekterm=polderwlk&pagina=1$/);
    });

    it('filters by status and sorts by KvK number', async () => {
      const res = await api().get('/api/v1/hostingproviders?status=suspended&sorteer=kvkNummer');
      assert.equal(res.status, 200);
      const rows = bodyOf<HostingproviderLijst>(res).hostingproviders as {
        kvkNummer: string;
        status: { code: string };
      }[];
      assert.ok(rows.length >= 1);
      assert.ok(rows.every((r) => r.status.code === 'suspended'));
      assert.deepEqual(
        rows.map((r) => r.kvkNummer),
        rows.map((r) => r.kvkNummer).sort(),
      );
    });

    it('answers a page past the last with an empty list and links back', async () => {
      const res = await api().get('/api/v1/hostingproviders?pagina=99');
      assert.equal(res.status, 200);
      assert.deepEqual(bodyOf<HostingproviderLijst>(res).hostingproviders, []);
      assert.equal(bodyOf<HostingproviderLijst>(res).paginering.pagina, 99);
      assert.equal(bodyOf<HostingproviderLijst>(res).links.last.href, `${BASE}/hostingproviders?pagina=1`);
      const byName = await api().get('/api/v1/hostingproviders?zoekterm=polderwolk&pagina=5');
      assert.deepEqual(bodyOf<HostingproviderLijst>(byName).hostingproviders, []);
      assert.equal(bodyOf<HostingproviderLijst>(byName).paginering.totaal, 1);
    });

    it('refuses unknown, repeated and malformed parameters with all of them named', async () => {
      const res = await api().get(
        '/api/v1/hostingproviders?pagina=0&paginaGrootte=500&status=goed&sorteer=x&zoekterm=a&zoekterm=b&q=typo',
      );
      assert.equal(res.status, 400);
      assert.deepEqual(invalidNames(res).sort(), [
        'pagina:page',
        'paginaGrootte:pageSize',
        'q:unknownParameter',
        'sorteer:sort',
        'status:status',
        'zoekterm:repeated',
      ]);
    });
  });

  describe('GET /api/v1/hostingproviders/{kvkNummer}', () => {
    it('gives a verantwoord provider with its listing and links', async () => {
      const kvk = demoKvkOf('Polderwolk');
      const res = await api().get(`/api/v1/hostingproviders/${kvk}`);
      assert.equal(res.status, 200);
      assert.equal(bodyOf<Hostingprovider>(res).kvkNummer, kvk);
      assert.equal(bodyOf<Hostingprovider>(res).status.verantwoord, true);
      assert.equal(bodyOf<Hostingprovider>(res).status.code, 'verantwoord');
      assert.equal(bodyOf<Hostingprovider>(res).status.peildatum, undefined);
      assert.ok((bodyOf<Hostingprovider>(res).vermelding?.geldigTot ?? '') > new Date().toISOString());
      assert.equal(bodyOf<Hostingprovider>(res).vermelding?.gedragscodeVersie, '3.0');
      // A calendar date (YYYY-MM-DD on the Dutch calendar), not a UTC instant that reads as the day before.
      assert.match(bodyOf<Hostingprovider>(res).vermelding?.aanDeelnameSinds ?? '', /^\d{4}-\d{2}-\d{2}$/);
      assert.equal(
        bodyOf<Hostingprovider>(res).links.webpagina.href,
        `${testConfig.publicBaseUrl}/hostingproviders/${kvk}`,
      );
      assert.equal(res.headers['access-control-allow-origin'], '*');
    });

    it('gives the reason and the reviewer’s explanation when a provider is not verantwoord', async () => {
      const res = await api().get(`/api/v1/hostingproviders/${demoKvkOf('Grachtengordel')}`);
      assert.equal(bodyOf<Hostingprovider>(res).status.verantwoord, false);
      assert.equal(bodyOf<Hostingprovider>(res).status.code, 'suspended');
      assert.equal(
        bodyOf<Hostingprovider>(res).status.toelichting,
        'Onderzoek naar herhaalde malafide reseller-klanten.',
      );
      assert.ok(bodyOf<Hostingprovider>(res).status.sinds);
      assert.ok(bodyOf<Hostingprovider>(res).vermelding, 'the suspended listing is still shown');
    });

    it('answers on a peildatum by the same rules as the web page, and says when that was before any history', async () => {
      const kvk = demoKvkOf('Grachtengordel');
      const before = toLocalDate(addDays(new Date(), -60));
      const earlier = await api().get(`/api/v1/hostingproviders/${kvk}?peildatum=${before}`);
      assert.equal(earlier.status, 200);
      assert.equal(bodyOf<Hostingprovider>(earlier).status.peildatum, before);
      assert.equal(bodyOf<Hostingprovider>(earlier).status.code, 'verantwoord');
      assert.equal(bodyOf<Hostingprovider>(earlier).status.voorEersteStatuswijziging, false);
      assert.match(bodyOf<Hostingprovider>(earlier).links.self.href, new RegExp(`peildatum=${before}$`));

      const page = await request(demo.app).get(`/hostingproviders/${kvk}?peildatum=${before}`);
      assert.match(page.text, /data-answer="verantwoord"/);

      const ancient = await api().get(`/api/v1/hostingproviders/${kvk}?peildatum=1995-01-01`);
      assert.equal(bodyOf<Hostingprovider>(ancient).status.code, 'not_listed');
      assert.equal(bodyOf<Hostingprovider>(ancient).status.voorEersteStatuswijziging, true);
    });

    it('refuses a peildatum in the future, an impossible date and a malformed KvK number', async () => {
      const tomorrow = toLocalDate(addDays(new Date(), 1.5));
      const kvk = demoKvkOf('Polderwolk');
      const cases: [url: string, expected: string][] = [
        [`/api/v1/hostingproviders/${kvk}?peildatum=${tomorrow}`, 'peildatum:futureDate'],
        [`/api/v1/hostingproviders/${kvk}?peildatum=2026-02-30`, 'peildatum:date'],
        [`/api/v1/hostingproviders/${kvk}?peildatum=30-06-2026`, 'peildatum:date'],
        [`/api/v1/hostingproviders/${kvk}?peildatum=1989-12-31`, 'peildatum:date'],
        ['/api/v1/hostingproviders/1234', 'kvkNummer:kvkNumber'],
        ['/api/v1/hostingproviders/12345678x', 'kvkNummer:kvkNumber'],
      ];
      for (const [url, expected] of cases) {
        const res = await api().get(url);
        assert.equal(res.status, 400, url);
        assert.deepEqual(invalidNames(res), [expected], url);
      }
    });

    it('answers 404 for an unknown KvK number, an unknown path and a trailing slash', async () => {
      const unknown = await api().get('/api/v1/hostingproviders/12121212');
      assert.equal(unknown.status, 404);
      assert.equal(bodyOf<Probleem>(unknown).code, 'providerNotFound');
      const slash = await api().get(`/api/v1/hostingproviders/${demoKvkOf('Polderwolk')}/`);
      assert.equal(slash.status, 404);
      assert.equal(bodyOf<Probleem>(slash).code, 'trailingSlash');
      assert.equal(bodyOf<Probleem>(await api().get('/api/v1/hostingproviders/')).code, 'trailingSlash');
      assert.equal(bodyOf<Probleem>(await api().get('/api/v1/')).code, 'trailingSlash');
      // /api/v1 itself is the entry point (GET /api/v1, tested in api-etiquette.test.ts).
      for (const url of ['/api/v1/leveranciers', '/api/v2/hostingproviders', '/api']) {
        const res = await api().get(url);
        assert.equal(res.status, 404, url);
        assert.equal(bodyOf<Probleem>(res).code, 'notFound', url);
      }
    });
  });

  describe('GET /api/v1/hostingproviders/{kvkNummer}/statuswijzigingen', () => {
    it('lists every recorded change, newest first', async () => {
      const kvk = demoKvkOf('Molenrack');
      const res = await api().get(`/api/v1/hostingproviders/${kvk}/statuswijzigingen`);
      assert.equal(res.status, 200);
      const changes = bodyOf<Statuswijzigingen>(res).statuswijzigingen as {
        soort: string;
        ingangsmoment: string;
        aanDeelnameSinds: string | null;
      }[];
      assert.ok(changes.length >= 3);
      assert.deepEqual(
        changes.map((c) => c.ingangsmoment),
        changes
          .map((c) => c.ingangsmoment)
          .sort()
          .reverse(),
      );
      assert.ok(changes.some((c) => c.soort === 'suspension_lifted'));
      const approvals = changes.filter((c) => c.soort === 'listing_approved');
      assert.ok(approvals.length > 0);
      for (const a of approvals)
        assert.match(a.aanDeelnameSinds ?? '', /^\d{4}-\d{2}-\d{2}$/, 'a calendar date');
    });
  });

  describe('POST /api/v1/controles', () => {
    it('checks a list: outcome per number in order, with counts, the same as the web bulk check', async () => {
      const polder = demoKvkOf('Polderwolk');
      const res = await api().post('/api/v1/controles', {
        peildatum: today(),
        kvkNummers: [polder, demoKvkOf('Grachtengordel'), '12121212', '1234', polder, ' 99990003 '],
      });
      assert.equal(res.status, 200);
      assert.deepEqual(
        bodyOf<Controle>(res).resultaten.map(
          (r: { positie: number; uitkomst: string }) => `${r.positie}:${r.uitkomst}`,
        ),
        ['1:verantwoord', '2:niet_verantwoord', '3:onbekend', '4:ongeldig', '5:dubbel', '6:verantwoord'],
      );
      assert.equal(bodyOf<Controle>(res).resultaten[1]?.reden, 'suspended');
      assert.equal(bodyOf<Controle>(res).resultaten[4]?.dubbelVan, 1);
      assert.deepEqual(bodyOf<Controle>(res).aantallen, {
        verantwoord: 2,
        nietVerantwoord: 1,
        onbekend: 1,
        ongeldig: 1,
        dubbel: 1,
      });
      assert.equal(res.headers['access-control-allow-origin'], undefined, 'no CORS for the check');
    });

    it('takes today when no peildatum is given', async () => {
      const res = await api().post('/api/v1/controles', { kvkNummers: [demoKvkOf('Polderwolk')] });
      assert.equal(res.status, 200);
      assert.equal(bodyOf<Controle>(res).peildatum, today());
    });

    it('refuses bodies it cannot take, naming every problem', async () => {
      const cases: [unknown, string[]][] = [
        [{ kvkNummers: [] }, ['kvkNummers:arrayEmpty']],
        [{ kvkNummers: Array.from({ length: 10_001 }, () => '99990001') }, ['kvkNummers:arrayTooLong']],
        [{ kvkNummers: ['99990001', 99990002] }, ['kvkNummers[1]:string']],
        [{ kvkNummers: 'x' }, ['kvkNummers:array']],
        [{}, ['kvkNummers:required']],
        [
          { kvkNummers: ['99990001'], peildatum: '2026-13-01', extra: 1 },
          ['extra:unknownField', 'peildatum:date'],
        ],
        [{ kvkNummers: ['99990001'], peildatum: 20260101 }, ['peildatum:dateType']],
        // JSON.parse makes `__proto__` a field like any other; it is named, not swallowed.
        [JSON.parse('{"kvkNummers":["99990001"],"__proto__":{"x":1}}'), ['__proto__:unknownField']],
        [[], ['body:object']],
        [null, ['body:object']],
      ];
      for (const [body, expected] of cases) {
        const res = await api().post('/api/v1/controles', JSON.stringify(body));
        assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
        assert.deepEqual(invalidNames(res).sort(), expected, JSON.stringify(body).slice(0, 80));
      }
    });

    it('answers broken JSON, another media type and an oversized body as problems', async () => {
      const broken = await api().post('/api/v1/controles', '{"kvkNummers": [');
      assert.equal(broken.status, 400);
      assert.equal(bodyOf<Probleem>(broken).code, 'invalidJson');
      const text = await api().post('/api/v1/controles', 'kvkNummers=99990001', 'text/plain');
      assert.equal(text.status, 415);
      const huge = await api().post('/api/v1/controles', `{"kvkNummers": ["${'9'.repeat(3_000_000)}"]}`);
      assert.equal(huge.status, 413);
      assert.equal(bodyOf<Probleem>(huge).code, 'tooLarge');
    });
  });

  describe('the API as a whole', () => {
    it('answers a method a resource does not know with 405 and Allow', async () => {
      const res = await api().send('DELETE', `/api/v1/hostingproviders/${demoKvkOf('Polderwolk')}`);
      assert.equal(res.status, 405);
      assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
      const get = await api().get('/api/v1/controles');
      assert.equal(get.status, 405);
      assert.equal(get.headers.allow, 'POST');
    });

    it('lets scripts on other sites read: a preflight for GET is answered', async () => {
      const res = await api().options('/api/v1/hostingproviders', {
        Origin: 'https://inkoop.example',
        'Access-Control-Request-Method': 'GET',
      });
      assert.equal(res.status, 204);
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.match(String(res.headers['access-control-allow-methods']), /GET/);
      const get = await api().get('/api/v1/hostingproviders', { Origin: 'https://inkoop.example' });
      assert.match(String(get.headers['access-control-expose-headers']), /API-Version/);
    });

    it('speaks English when the client prefers it', async () => {
      const res = await api().get('/api/v1/hostingproviders/12121212', {
        'Accept-Language': 'en-GB,en;q=0.9',
      });
      assert.equal(bodyOf<Probleem>(res).title, 'Not found');
      assert.equal(res.headers['content-language'], 'en');
      const nl = await api().get('/api/v1/hostingproviders/12121212');
      assert.equal(bodyOf<Probleem>(nl).title, 'Niet gevonden');
    });

    it('sets no cookie, needs no CSRF token and sends the security headers of a JSON API', async () => {
      const res = await api().get('/api/v1/hostingproviders?paginaGrootte=1');
      assert.equal(res.headers['set-cookie'], undefined);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.equal(res.headers['x-powered-by'], undefined);
      const problem = await api().get('/api/v1/hostingproviders/12121212');
      assert.equal(problem.headers['x-content-type-options'], 'nosniff');
    });
  });

  describe('GET /api-documentatie', () => {
    it('documents every operation of the document and explains every problem a `type` points to', async () => {
      const res = await request(demo.app).get('/api-documentatie');
      assert.equal(res.status, 200);
      const operations = Object.values(apiDocument.paths).flatMap((methods) =>
        Object.values(methods as Record<string, { operationId: string }>).map((op) => op.operationId),
      );
      for (const id of operations) assert.match(res.text, new RegExp(`data-operation="${id}"`), id);
      const problem = await api().get('/api/v1/hostingproviders/12121212');
      const anchor = new URL(bodyOf<Probleem>(problem).type).hash.slice(1);
      assert.equal(new URL(bodyOf<Probleem>(problem).type).pathname, '/api-documentatie');
      assert.match(res.text, new RegExp(`id="${anchor}"`));
      for (const code of Object.keys(PROBLEM_CODES))
        assert.match(res.text, new RegExp(`id="probleem-${code}"`));
      await assertValidHtml(res.text, 'API documentation');
    });

    it('is in English under ?lang=en: prose, headings, summaries and parameter descriptions', async () => {
      const res = await request(demo.app).get('/api-documentatie?lang=en');
      assert.equal(res.status, 200);
      for (const english of [
        'Search hosting providers',
        'The page number, from 1.',
        'Check a list of KvK numbers',
        'The register is briefly unavailable',
        'Parameters',
        'Responses',
      ])
        assert.ok(res.text.includes(english), english);
      for (const dutch of [
        'Hostingproviders zoeken',
        'Het paginanummer',
        'Een verklaring controleren',
        'standaard',
      ])
        assert.ok(!res.text.includes(dutch), dutch);
      await assertValidHtml(res.text, 'API documentation in English');
    });
  });

  describe('GET /api/v1/openapi.json', () => {
    it('serves the document the tests validate against, readable from any site', async () => {
      const res = await api().get('/api/v1/openapi.json');
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.deepEqual(
        bodyOf<OpenApiDocument>(res),
        JSON.parse(JSON.stringify(openApiDocument(testConfig.publicBaseUrl))),
      );
      assert.equal(bodyOf<OpenApiDocument>(res).servers?.[0]?.url, BASE);
    });

    it('has examples that are valid by its own schemas', () => {
      for (const [schema, example] of Object.entries(API_EXAMPLES)) {
        assertValid(schemaValidator(`/components/schemas/${schema}`), example, `example ${schema}`);
      }
      assert.equal(Object.keys(API_EXAMPLES).length, 6);
    });
  });
});
