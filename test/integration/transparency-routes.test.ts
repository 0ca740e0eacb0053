import assert from 'node:assert/strict';
import request from 'supertest';
import { decodeEntryBundle } from '../../monitor/lib/tiles';
import { leafHash } from '../../monitor/lib/merkle';
import { type AuditEntry, appendAuditEvents } from '../../src/audit/audit.service';
import { leafEntry, publicData } from '../../src/audit/leaf-entry';
import { signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { loadLogKey } from '../../src/transparency/log-key';
import { testApp, testConfig } from '../helpers/app';
import { downloadBytes } from '../helpers/audit-log';
import { createTestDatabase, type TestDatabase, testSigner } from '../helpers/database';
import { eventsInChainOrder } from '../helpers/merkle';

const key = loadLogKey(testConfig);

const entry = (n: number): AuditEntry => ({
  actor: 'test:transparency',
  action: 'test.event',
  subjectType: 'test',
  subjectId: String(n),
  data: { n },
});

describe('the transparency log over HTTP (/transparantie)', () => {
  let db: TestDatabase;
  let agent: request.Agent;
  before(async function () {
    this.timeout(60_000);
    db = await createTestDatabase();
    agent = request.agent(testApp(db.dataSource).app);
  });
  after(() => db.drop());

  it('answers 404 for the checkpoint and every tile before anything was signed', async () => {
    assert.equal((await agent.get('/transparantie/checkpoint')).status, 404);
    assert.equal((await agent.get('/transparantie/tile/0/000.p/1')).status, 404);
  });

  describe('with a log of 300 leaves and a checkpoint of 290', () => {
    before(async () => {
      await db.dataSource.transaction((m) =>
        appendAuditEvents(
          m,
          new Date(),
          Array.from({ length: 290 }, (_, i) => entry(i)),
        ),
      );
      await signCheckpointIfDue(db.dataSource, testSigner(db), new Date(), { intervalSeconds: 30 });
      // Grown since: not yet in a checkpoint, so not served.
      await db.dataSource.transaction((m) =>
        appendAuditEvents(
          m,
          new Date(),
          Array.from({ length: 10 }, (_, i) => entry(290 + i)),
        ),
      );
    });

    it('serves the latest checkpoint as a signed note, briefly cacheable', async () => {
      const res = await agent.get('/transparantie/checkpoint');
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'] ?? '', /^text\/plain; charset=utf-8/);
      assert.match(res.headers['cache-control'] ?? '', /public, max-age=10/);
      assert.match(res.text, new RegExp(`^${key.origin}\\n290\\n[A-Za-z0-9+/]{43}=\\n\\n\u2014 `));
    });

    it('serves the verifier key', async () => {
      const res = await agent.get('/transparantie/sleutel');
      assert.equal(res.text, `${key.verifierKey}\n`);
    });

    it('serves a full tile of leaf hashes, cacheable for good, and a partial one up to the checkpoint', async () => {
      const events = await eventsInChainOrder(db);
      const full = await downloadBytes(agent, '/transparantie/tile/0/000');
      assert.equal(full.status, 200);
      assert.equal(full.headers['cache-control'], 'public, max-age=31536000, immutable');
      const body = full.body as Buffer;
      assert.equal(body.length, 256 * 32);
      assert.deepEqual(body.subarray(32 * 7, 32 * 8), leafHash(leafEntry(events[7]!, events[7]!.salt)));
      const partial = await downloadBytes(agent, '/transparantie/tile/0/001.p/34');
      assert.equal(partial.status, 200);
      assert.equal((partial.body as Buffer).length, 34 * 32);
      assert.match(partial.headers['cache-control'] ?? '', /max-age=10/);
      // Any narrower width too, for proofs against older checkpoints.
      assert.equal((await downloadBytes(agent, '/transparantie/tile/0/001.p/3')).status, 200);
      // A level-1 tile: one hash (the 256 first leaves).
      assert.equal(((await downloadBytes(agent, '/transparantie/tile/1/000.p/1')).body as Buffer).length, 32);
    });

    it('lets scripts and pages on any site read the log files: CORS *, Cross-Origin-Resource-Policy cross-origin, no Vary: Cookie', async () => {
      for (const url of [
        '/transparantie/checkpoint',
        '/transparantie/sleutel',
        '/transparantie/tile/0/000',
        '/transparantie/tile/0/001.p/34',
        '/transparantie/tile/entries/000',
      ]) {
        // A visitor with a language cookie and a session cookie gets the same file.
        const res = await downloadBytes(agent, url)
          .set('Origin', 'https://monitor.example')
          .set('Cookie', 'vhp.lang=en; vhp.sid=s%3Aanything');
        assert.equal(res.status, 200, url);
        assert.equal(res.headers['access-control-allow-origin'], '*', url);
        assert.equal(res.headers['access-control-allow-credentials'], undefined, url);
        assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin', url);
        assert.doesNotMatch(res.headers.vary ?? '', /cookie/i, url);
        assert.equal(res.headers['set-cookie'], undefined, url);
      }
      const head = await agent.head('/transparantie/tile/0/000').set('Origin', 'https://monitor.example');
      assert.equal(head.headers['access-control-allow-origin'], '*');
      const preflight = await agent
        .options('/transparantie/tile/entries/000')
        .set('Origin', 'https://monitor.example')
        .set('Access-Control-Request-Method', 'GET');
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], '*');
      assert.match(preflight.headers['access-control-allow-methods'] ?? '', /^GET,HEAD$/);
    });

    it('serves entry bundles with each leaf content', async () => {
      const events = await eventsInChainOrder(db);
      const res = await downloadBytes(agent, '/transparantie/tile/entries/000');
      assert.equal(res.status, 200);
      const entries = decodeEntryBundle(res.body as Buffer);
      assert.equal(entries.length, 256);
      assert.equal(entries[5]?.toString(), leafEntry(events[5]!, events[5]!.salt));
      // Each one the header, the public fields and the digest: never the event's data itself.
      for (const [i, entry] of entries.entries()) {
        const event = events[i]!;
        assert.deepEqual(Object.keys(JSON.parse(entry.toString()) as object), [
          'action',
          'actor',
          'data',
          'dataDigest',
          'id',
          'occurredAt',
          'subjectId',
          'subjectType',
        ]);
        assert.deepEqual(
          (JSON.parse(entry.toString()) as { data: object }).data,
          publicData(event.action, event.data),
        );
      }
      const partial = await downloadBytes(agent, '/transparantie/tile/entries/001.p/34');
      assert.equal(decodeEntryBundle(partial.body as Buffer).length, 34);
    });

    it('answers 404 beyond the latest checkpoint, and 404 (never 500) for paths that are no tile', async () => {
      for (const url of [
        '/transparantie/tile/0/001.p/35',
        '/transparantie/tile/0/001',
        '/transparantie/tile/entries/001.p/35',
        '/transparantie/tile/1/000',
        '/transparantie/tile/2/000.p/1',
        '/transparantie/tile/0/002.p/1',
        '/transparantie/tile/0/1',
        '/transparantie/tile/0/000.p/256',
        '/transparantie/tile/0/000.p/0',
        '/transparantie/tile/99/000',
        '/transparantie/tile/-1/000',
        '/transparantie/tile/0/x000/000',
        '/transparantie/tile/0/000.p/5/6',
        '/transparantie/tile/entries',
        '/transparantie/tile/0/%2e%2e',
        '/transparantie/tile/0/x999/999/999/999/999/999',
      ]) {
        const res = await agent.get(url);
        assert.equal(res.status, 404, url);
        assert.match(res.text, /tile|tegel/i, url);
      }
    });

    it('shows the history of checkpoints, newest first, each note in full', async () => {
      await signCheckpointIfDue(db.dataSource, testSigner(db), new Date(Date.now() + 60_000), {
        intervalSeconds: 30,
      });
      const res = await agent.get('/transparantie/checkpoints');
      assert.equal(res.status, 200);
      const sizes = [...res.text.matchAll(/data-checkpoint-size="(\d+)"/g)].map((m) => Number(m[1]));
      assert.deepEqual(sizes, [300, 290]);
      assert.match(res.text, /<pre>[^<]*\n290\n/);
      const english = await agent.get('/transparantie/checkpoints?lang=en');
      assert.equal(english.status, 200);
      assert.match(english.text, /Checkpoints of the transparency log/);
      assert.equal((await agent.get('/transparantie/checkpoints?pagina=abc')).status, 200);
    });

    it('pages the history by 20, newest first, with links to the page before and after', async () => {
      // 2 checkpoints so far; 20 more, each a leaf larger and a minute later: 22 in all, 2 pages.
      for (let i = 0; i < 20; i++) {
        await db.dataSource.transaction((m) => appendAuditEvents(m, new Date(), [entry(300 + i)]));
        const signed = await signCheckpointIfDue(
          db.dataSource,
          testSigner(db),
          new Date(Date.now() + (i + 2) * 60_000),
          { intervalSeconds: 30 },
        );
        assert.equal(signed.outcome, 'signed');
      }
      const sizesOf = (html: string) =>
        [...html.matchAll(/data-checkpoint-size="(\d+)"/g)].map((m) => Number(m[1]));
      // The page's links as a browser reads them (Handlebars writes '=' as '&#x3D;').
      const links = (html: string) =>
        [...html.matchAll(/rel="(prev|next)" href="([^"]+)"/g)].map(
          (m) => `${m[1]} ${(m[2] ?? '').replaceAll('&#x3D;', '=')}`,
        );

      const first = await agent.get('/transparantie/checkpoints');
      assert.deepEqual(
        sizesOf(first.text),
        Array.from({ length: 20 }, (_, i) => 320 - i),
      );
      assert.deepEqual(links(first.text), ['next /transparantie/checkpoints?pagina=2']);

      const second = await agent.get('/transparantie/checkpoints?pagina=2');
      assert.deepEqual(sizesOf(second.text), [300, 290]);
      assert.deepEqual(links(second.text), ['prev /transparantie/checkpoints?pagina=1']);

      // Past the last page: no checkpoints, and the way back leads to the last page, not the one before.
      const beyond = await agent.get('/transparantie/checkpoints?pagina=9');
      assert.equal(beyond.status, 200);
      assert.deepEqual(sizesOf(beyond.text), []);
      assert.deepEqual(links(beyond.text), ['prev /transparantie/checkpoints?pagina=2']);
    });
  });
});
