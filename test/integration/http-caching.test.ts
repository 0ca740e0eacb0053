import assert from 'node:assert/strict';
import { get, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import request from 'supertest';
import { addEvidence, startApplication } from '../../src/application/application.service';
import { seedBulk } from '../../src/seed/bulk';
import { simplePdf } from '../../src/seed/demo-pdf';
import { addDays, addMonths, startOfLocalDay } from '../../src/shared/time';
import { givenCodeVersion, givenProvider, givenStatusEvent } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { apiClient } from '../helpers/api';
import { testConfig, useTestApp } from '../helpers/app';
import { signedIn } from '../helpers/session';

/** A GET on a real socket, as a client sees it: the headers and the body's chunks as they came. */
function rawGet(server: Server, path: string, headers: Record<string, string> = {}) {
  const { port } = server.address() as AddressInfo;
  return new Promise<{ status: number; headers: IncomingHttpHeaders; chunks: Buffer[] }>(
    (resolve, reject) => {
      get({ host: '127.0.0.1', port, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, chunks }));
        res.on('error', reject);
      }).on('error', reject);
    },
  );
}

describe('HTTP caching and compression of public data', () => {
  const ctx = useTestApp();
  let server: Server;
  let kvk: string;
  let providerId: string;

  before(async () => {
    // Enough providers for an open data download of a few hundred kilobytes.
    await seedBulk(ctx.db.dataSource, 600, new Date());
    const version = await givenCodeVersion(ctx.db.dataSource, {
      publishedAt: new Date('2020-01-01T00:00:00Z'),
    });
    const provider = await givenProvider(ctx.db.dataSource);
    [kvk, providerId] = [provider.kvkNumber, provider.id];
    await givenStatusEvent(ctx.db.dataSource, {
      providerId,
      kind: 'listing_approved',
      effectiveAt: addDays(new Date(), -30),
      validUntil: addMonths(new Date(), 11),
      codeOfConductVersionId: version.id,
      codeSignedOn: '2024-12-01',
      aanSince: startOfLocalDay('2024-01-01'),
    });
    server = ctx.app.listen(0);
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  describe('GET /api/v1/hostingproviders/{kvkNummer}', () => {
    it('has an ETag and Last-Modified that stay the same across requests, though peilmoment differs', async () => {
      const api = apiClient(ctx.app);
      const first = await api.get(`/api/v1/hostingproviders/${kvk}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const second = await api.get(`/api/v1/hostingproviders/${kvk}`);
      assert.notEqual(
        (first.body as { status: { peilmoment: string } }).status.peilmoment,
        (second.body as { status: { peilmoment: string } }).status.peilmoment,
      );
      assert.match(String(first.headers.etag), /^W\/"[0-9a-f]{32}"$/);
      assert.equal(second.headers.etag, first.headers.etag);
      assert.equal(second.headers['last-modified'], first.headers['last-modified']);
      assert.ok(new Date(String(first.headers['last-modified'])).getTime() <= Date.now());
      assert.equal(first.headers['cache-control'], 'public, max-age=60, must-revalidate');
      assert.match(String(first.headers['access-control-expose-headers']), /ETag/);
    });

    it('answers 304 on If-None-Match and If-Modified-Since, and 200 with a new ETag once the status changed', async () => {
      const api = apiClient(ctx.app);
      const url = `/api/v1/hostingproviders/${kvk}`;
      const first = await api.get(url);
      const etag = String(first.headers.etag);
      const notModified = await api.get(url, { 'If-None-Match': etag });
      assert.equal(notModified.status, 304);
      assert.equal(notModified.text, '');
      assert.equal(
        (await api.get(url, { 'If-Modified-Since': String(first.headers['last-modified']) })).status,
        304,
      );
      // Another language is another representation.
      assert.equal((await api.get(url, { 'If-None-Match': etag, 'Accept-Language': 'en' })).status, 200);

      await givenStatusEvent(ctx.db.dataSource, {
        providerId,
        kind: 'suspended',
        effectiveAt: new Date(),
        reason: 'Test.',
      });
      const changed = await api.get(url, { 'If-None-Match': etag });
      assert.equal(changed.status, 200);
      assert.notEqual(changed.headers.etag, etag);
      await givenStatusEvent(ctx.db.dataSource, {
        providerId,
        kind: 'suspension_lifted',
        effectiveAt: new Date(),
      });
    });

    it('gives the same answer gzip- and brotli-compressed when asked', async () => {
      const plain = await rawGet(server, `/api/v1/hostingproviders?paginaGrootte=100`, {
        'Accept-Encoding': 'identity',
      });
      assert.equal(plain.headers['content-encoding'], undefined);
      const body = JSON.parse(Buffer.concat(plain.chunks).toString('utf8')) as {
        hostingproviders: unknown[];
      };
      assert.equal(body.hostingproviders.length, 100);
      for (const [encoding, decode] of [
        ['gzip', gunzipSync],
        ['br', brotliDecompressSync],
      ] as const) {
        const res = await rawGet(server, `/api/v1/hostingproviders?paginaGrootte=100`, {
          'Accept-Encoding': encoding,
        });
        assert.equal(res.headers['content-encoding'], encoding);
        assert.match(String(res.headers.vary), /Accept-Encoding/);
        const compressed = Buffer.concat(res.chunks);
        assert.ok(compressed.length < Buffer.concat(plain.chunks).length / 3, `${encoding} compresses`);
        assert.deepEqual(JSON.parse(decode(compressed).toString('utf8')), body);
      }
    });
  });

  describe('GET /api/v1/statuswijzigingen', () => {
    it('keeps a full page longer than the last one, and answers 304 for an unchanged page', async () => {
      const api = apiClient(ctx.app);
      const full = await api.get('/api/v1/statuswijzigingen?paginaGrootte=5');
      assert.equal((full.body as { meer: boolean }).meer, true);
      assert.equal(full.headers['cache-control'], 'public, max-age=300');
      assert.ok(full.headers.etag && full.headers['last-modified']);
      assert.equal(
        (
          await api.get('/api/v1/statuswijzigingen?paginaGrootte=5', {
            'If-None-Match': String(full.headers.etag),
          })
        ).status,
        304,
      );
      const last = await api.get(`/api/v1/statuswijzigingen?kvkNummer=${kvk}`);
      assert.equal((last.body as { meer: boolean }).meer, false);
      assert.equal(last.headers['cache-control'], 'public, max-age=60, must-revalidate');
    });
  });

  describe('the open data downloads', () => {
    it('have validators that hold until the register changes, and answer 304 without the download', async () => {
      const first = await request(ctx.app).get('/open-data/hostingproviders.csv').expect(200);
      const second = await request(ctx.app).get('/open-data/hostingproviders.csv').expect(200);
      assert.ok(first.headers.etag);
      assert.equal(second.headers.etag, first.headers.etag);
      assert.equal(second.headers['last-modified'], first.headers['last-modified']);
      assert.equal(first.headers['cache-control'], 'public, max-age=60, must-revalidate');
      await request(ctx.app)
        .get('/open-data/hostingproviders.csv')
        .set('If-None-Match', String(first.headers.etag))
        .expect(304);
      const json = await request(ctx.app).get('/open-data/hostingproviders.json').expect(200);
      await request(ctx.app)
        .get('/open-data/hostingproviders.json')
        .set('If-Modified-Since', String(json.headers['last-modified']))
        .expect(304);

      await givenProvider(ctx.db.dataSource);
      const changed = await request(ctx.app)
        .get('/open-data/hostingproviders.csv')
        .set('If-None-Match', String(first.headers.etag))
        .expect(200);
      assert.notEqual(changed.headers.etag, first.headers.etag);
    });

    it('stream compressed: chunked, in several pieces, the same bytes once decoded', async () => {
      const plain = Buffer.concat((await rawGet(server, '/open-data/hostingproviders.csv')).chunks);
      assert.ok(plain.length > 100_000, `a download of ${plain.length} bytes`);
      for (const [encoding, decode] of [
        ['gzip', gunzipSync],
        ['br', brotliDecompressSync],
      ] as const) {
        const res = await rawGet(server, '/open-data/hostingproviders.csv', { 'Accept-Encoding': encoding });
        assert.equal(res.headers['content-encoding'], encoding);
        assert.equal(res.headers['transfer-encoding'], 'chunked');
        assert.equal(res.headers['content-length'], undefined);
        assert.ok(res.chunks.length > 1, `${encoding}: arrived in ${res.chunks.length} piece(s)`);
        assert.deepEqual(decode(Buffer.concat(res.chunks)), plain);
      }
    });

    it('may be read and revalidated by a script on any site: the preflight for If-None-Match is answered', async () => {
      for (const url of ['/open-data/hostingproviders.csv', '/open-data/statuswijzigingen.atom']) {
        const preflight = await request(ctx.app)
          .options(url)
          .set('Origin', 'https://inkoop.example')
          .set('Access-Control-Request-Method', 'GET')
          .set('Access-Control-Request-Headers', 'if-none-match')
          .expect(204);
        assert.equal(preflight.headers['access-control-allow-origin'], '*', url);
        assert.match(String(preflight.headers['access-control-allow-headers']), /if-none-match/i, url);
        const res = await request(ctx.app).get(url).set('Origin', 'https://inkoop.example').expect(200);
        assert.equal(res.headers['access-control-allow-origin'], '*', url);
        assert.match(String(res.headers['access-control-expose-headers']), /ETag.*Last-Modified/, url);
      }
    });

    it('ignore an If-Modified-Since in the future (no clock of a client makes stale data fresh)', async () => {
      await request(ctx.app)
        .get('/open-data/hostingproviders.json')
        .set('If-Modified-Since', new Date('2100-01-01T00:00:00Z').toUTCString())
        .expect(200);
    });

    it('stay out of shared caches for a request with a session', async () => {
      const agent = await signedIn(ctx.app, await givenUser(ctx.db.dataSource, 'auditor'));
      const res = await agent.get('/open-data/hostingproviders.csv').expect(200);
      assert.equal(res.headers['cache-control'], 'no-store');
    });
  });

  describe('what is not compressed or cached', () => {
    it('leaves small bodies such as the health check alone', async () => {
      const res = await rawGet(server, '/healthz', { 'Accept-Encoding': 'gzip, br' });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], undefined);
    });

    it('never compresses a PDF, which is compressed already', async () => {
      const provider = await givenProvider(ctx.db.dataSource);
      const owner = await givenUser(ctx.db.dataSource, 'provider', { providerId: provider.id });
      const application = await startApplication(ctx.db.dataSource, owner.user, testConfig, new Date());
      const content = simplePdf('Gedragscode '.repeat(400));
      assert.ok(content.length > 2048, 'a PDF above the size compression starts at');
      const evidence = await addEvidence(
        ctx.db.dataSource,
        owner.user,
        application.id,
        { kind: 'code_of_conduct', filename: 'code.pdf', content },
        testConfig,
        new Date(),
      );
      const agent = await signedIn(ctx.app, owner);
      const res = await agent
        .get(`/aanvragen/${application.id}/bewijsstukken/${evidence.id}`)
        .set('Accept-Encoding', 'gzip, br')
        .buffer(true)
        .expect(200);
      assert.match(String(res.headers['content-type']), /^application\/pdf/);
      assert.equal(res.headers['content-encoding'], undefined);
    });

    it('still sends the audit log download compressed, whole and never cached', async () => {
      const agent = await signedIn(ctx.app, await givenUser(ctx.db.dataSource, 'auditor'));
      const res = await agent.get('/beheer/auditlog.csv').set('Accept-Encoding', 'gzip').expect(200);
      assert.equal(res.headers['content-encoding'], 'gzip');
      assert.equal(res.headers['cache-control'], 'no-store');
      // supertest has decoded it: every line of the log is there.
      const [row] = await ctx.db.dataSource.query<{ count: string }[]>(
        'SELECT count(*)::text AS count FROM audit_events',
      );
      assert.ok(res.text.trim().split('\n').length - 1 >= Number(row?.count));
    });
  });
});
