import assert from 'node:assert/strict';
import request from 'supertest';
import type { ApiIngang } from '../../src/api/api.root';
import type { Probleem } from '../../src/api/api.schemas';
import { API_VERSION } from '../../src/api/openapi';
import { apiClient, apiDocument, bodyOf } from '../helpers/api';
import { testApp, testConfig } from '../helpers/app';
import { demoKvkOf, useDemoRegister } from '../helpers/demo';

const BASE = `${testConfig.publicBaseUrl}/api/v1`;
/** The path of an absolute link of the register, as supertest asks for it. */
const pathOf = (href: string) => href.slice(testConfig.publicBaseUrl.length);

describe('API etiquette (issue 14 §3)', () => {
  const demo = useDemoRegister();
  const api = () => apiClient(demo.app);

  describe('GET /api/v1', () => {
    it('answers with links to the documents and every resource, each of which resolves', async () => {
      const res = await api().get('/api/v1');
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], '*');
      const root = bodyOf<ApiIngang>(res);
      assert.equal(root.versie, API_VERSION);
      assert.equal(root.links.self.href, BASE);
      assert.equal(root.links.statuswijzigingen.href, `${BASE}/statuswijzigingen`);

      assert.equal((await api().get(pathOf(root.links.openapi.href))).status, 200);
      const docs = await request(demo.app).get(pathOf(root.links.documentatie.href));
      assert.equal(docs.status, 200);
      assert.match(String(docs.headers['content-type']), /^text\/html/);
      assert.equal((await api().get(pathOf(root.links.hostingproviders.href))).status, 200);
      const provider = root.links.hostingprovider.href.replace('{kvkNummer}', demoKvkOf('Polderwolk'));
      assert.equal((await api().get(pathOf(provider))).status, 200);
      const [attestation] = await demo.db.dataSource.query<{ number: string }[]>(
        'SELECT number FROM attestations LIMIT 1',
      );
      assert.ok(attestation, 'the demo register has attestations');
      const verification = root.links.verklaring.href.replace('{nummer}', attestation.number);
      assert.equal((await api().get(pathOf(verification))).status, 200);
      const checks = await api().post(pathOf(root.links.controles.href), {
        kvkNummers: [demoKvkOf('Polderwolk')],
      });
      assert.equal(checks.status, 200);
      // The change feed is its own part of issue 14: once the document has it, its link must answer.
      if ('/statuswijzigingen' in apiDocument.paths)
        assert.equal((await api().get(pathOf(root.links.statuswijzigingen.href))).status, 200);
      // Every link names a path of the document (the feed's once it is there).
      for (const [name, link] of Object.entries(root.links)) {
        const path = pathOf(link.href).replace(/^\/api\/v1/, '') || '/';
        if (name === 'statuswijzigingen' && !('/statuswijzigingen' in apiDocument.paths)) continue;
        if (name === 'documentatie') continue;
        assert.ok(path in apiDocument.paths, `${name}: ${path} is not in the OpenAPI document`);
      }
    });

    it('is in the OpenAPI document, answers a preflight, refuses other methods, parameters and a trailing slash', async () => {
      assert.equal(
        (apiDocument.paths as Record<string, { get?: { operationId?: string } }>)['/']?.get?.operationId,
        'getApiIngang',
      );
      const preflight = await request(demo.app)
        .options('/api/v1')
        .set('Origin', 'https://inkoop.example')
        .set('Access-Control-Request-Method', 'GET');
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], '*');
      const deleted = await api().send('DELETE', '/api/v1');
      assert.equal(deleted.status, 405);
      assert.equal(deleted.headers.allow, 'GET, HEAD, OPTIONS');
      assert.equal((await api().get('/api/v1?x=1')).status, 400);
      assert.equal(bodyOf<Probleem>(await api().get('/api/v1/')).code, 'trailingSlash');
    });
  });

  describe('CORS on every problem', () => {
    it('lets a script on any site read 400, 404, 405 and 415 problems and the headers it needs', async () => {
      const answers = [
        await api().get('/api/v1/hostingproviders?onbekend=1'),
        await api().get('/api/v1/leveranciers'),
        await api().get('/api/v1/hostingproviders/12121212'),
        await api().get('/api/v1/hostingproviders/'),
        await api().send('DELETE', '/api/v1/hostingproviders'),
        await api().post('/api/v1/controles', 'kvk', 'text/plain'),
        await api().post('/api/v1/controles', { kvkNummers: [] }),
      ];
      assert.deepEqual(
        answers.map((r) => r.status),
        [400, 404, 404, 404, 405, 415, 400],
      );
      for (const res of answers) {
        const what = `${res.status} ${bodyOf<Probleem>(res).instance}`;
        assert.equal(res.headers['access-control-allow-origin'], '*', what);
        const exposed = String(res.headers['access-control-expose-headers']).split(',');
        for (const name of [
          'API-Version',
          'RateLimit',
          'RateLimit-Policy',
          'Retry-After',
          'Deprecation',
          'Sunset',
        ])
          assert.ok(exposed.includes(name), `${what}: ${name} not exposed`);
        assert.match(String(res.headers.ratelimit), /^"per-minute";r=\d+;t=\d+$/, what);
      }
    });
  });

  describe('deprecation', () => {
    const deprecatedAt = new Date('2026-12-01T00:00:00Z');
    const sunsetAt = new Date('2027-12-01T00:00:00Z');

    it('sets Deprecation, Sunset and a Link to the policy on requests that use a deprecated part, and only on those', async () => {
      const app = testApp(demo.db.dataSource, {
        apiDeprecations: [
          {
            method: 'GET',
            path: '/hostingproviders',
            parameter: 'sorteer',
            deprecatedAt,
            sunsetAt,
            instead: { nl: 'Sorteer zelf.', en: 'Sort yourself.' },
          },
          {
            method: 'GET',
            path: '/verklaringen/{nummer}',
            deprecatedAt: new Date('2027-01-01T00:00:00Z'),
            sunsetAt: new Date('2028-01-01T00:00:00Z'),
            instead: { nl: 'Gebruik de PDF.', en: 'Use the PDF.' },
          },
        ],
      }).app;
      const deprecated = await request(app).get('/api/v1/hostingproviders?sorteer=naam&paginaGrootte=5');
      assert.equal(deprecated.status, 200);
      assert.equal(deprecated.headers.deprecation, '@1796083200');
      assert.equal(deprecated.headers.sunset, 'Wed, 01 Dec 2027 00:00:00 GMT');
      const link = String(deprecated.headers.link);
      assert.match(link, /<http:\/\/register\.test\/api-documentatie#uitfasering>; rel="deprecation"/);
      assert.match(link, /rel="next"/, 'the paging links are kept');

      const current = await request(app).get('/api/v1/hostingproviders?paginaGrootte=5');
      assert.equal(current.headers.deprecation, undefined);
      assert.equal(current.headers.sunset, undefined);
      assert.doesNotMatch(String(current.headers.link), /deprecation/);

      const whole = await request(app).get('/api/v1/verklaringen/VHP-2026-999999');
      assert.equal(whole.status, 404);
      assert.equal(whole.headers.deprecation, `@${Date.parse('2027-01-01T00:00:00Z') / 1000}`);
      assert.equal(whole.headers.sunset, 'Sat, 01 Jan 2028 00:00:00 GMT');
      assert.equal(whole.headers['access-control-allow-origin'], '*');

      // The register's own list: nothing of 1.0.0 is deprecated.
      const ours = await api().get('/api/v1/hostingproviders?sorteer=naam');
      assert.equal(ours.headers.deprecation, undefined);
    });
  });

  describe('GET /api-documentatie', () => {
    it('has the changelog, newest version first, the limits and the deprecation policy', async () => {
      for (const [lang, policy, nothing] of [
        ['nl', /minstens 365 dagen/, /Niets: alles van versie 1\.0\.0 werkt nog/],
        ['en', /at least 365 days/, /Nothing: everything of version 1\.0\.0 still works/],
      ] as const) {
        const page = await request(demo.app).get(`/api-documentatie?lang=${lang}`);
        assert.equal(page.status, 200);
        const versions = [...page.text.matchAll(/id="versie-(\d+-\d+-\d+)"/g)].map((m) => m[1]);
        assert.deepEqual(versions.slice(0, 2), [API_VERSION.replaceAll('.', '-'), '1-0-0']);
        assert.match(page.text, /id="uitfasering"/);
        assert.match(page.text, policy);
        assert.match(page.text, nothing);
        assert.match(page.text, /RateLimit-Policy/);
        assert.match(page.text, /Sunset \(RFC 8594\)/);
      }
    });
  });
});
