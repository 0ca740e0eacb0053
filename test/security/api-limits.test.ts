import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import type { Probleem } from '../../src/api/api.schemas';
import type { Config } from '../../src/config';
import { databasePool } from '../../src/database/data-source';
import { postgresLimiter } from '../../src/database/rate-limits';
import { heavyComputeTurn, heavyWorkGate, withHeavyConnection } from '../../src/database/heavy-work';
import { createRegisterDataSource } from '../../src/entities';
import { RequestAllowance } from '../../src/web/client-limits';
import { apiClient, bodyOf } from '../helpers/api';
import { testApp } from '../helpers/app';
import { demoKvkOf, useDemoRegister } from '../helpers/demo';
import { tokenFor } from '../helpers/session';

/** The parameters of the one item of a RateLimit or RateLimit-Policy field, e.g. { r: 2, t: 60 }. */
function fieldParameters(value: unknown): Record<string, number> {
  const match = /^"per-minute"((?:;[a-z]+=\d+)+)$/.exec(String(value));
  assert.ok(match, `not a structured-field item of the per-minute policy: ${String(value)}`);
  return Object.fromEntries(
    (match[1] ?? '')
      .split(';')
      .filter(Boolean)
      .map((p): [string, number] => {
        const [name = '', value] = p.split('=');
        return [name, Number(value)];
      }),
  );
}

const leasesHeld = async (dataSource: DataSource) =>
  Number(
    (
      await dataSource.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM concurrency_leases WHERE expires_at > now()`,
      )
    )[0]?.n,
  );

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    if (await condition()) return;
    await sleep(25);
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('limits of the anonymous API (issue 14 §4)', () => {
  const demo = useDemoRegister();
  const lookup = () => `/api/v1/hostingproviders/${demoKvkOf('Polderwolk')}`;
  /** A second instance of the register: its own pool on the same database. */
  let other: DataSource;
  before(async () => {
    other = createRegisterDataSource({ url: demo.db.url, poolSize: 5 });
    await other.initialize();
  });
  after(() => other.destroy());
  beforeEach(async () => {
    await demo.db.dataSource.query('DELETE FROM rate_limits');
    await demo.db.dataSource.query('DELETE FROM concurrency_leases');
  });
  const appOn = (dataSource: DataSource, config: Partial<Config>) => testApp(dataSource, { config }).app;

  describe('requests per minute per client', () => {
    it('answers 429 with Retry-After and the RateLimit fields after the limit, on every instance', async () => {
      const config = { apiRequestsPerMinute: 3 };
      const first = apiClient(appOn(demo.db.dataSource, config));
      const second = apiClient(appOn(other, config));
      const remaining: number[] = [];
      for (const api of [first, second, first]) {
        const res = await api.get(lookup());
        assert.equal(res.status, 200);
        assert.deepEqual(fieldParameters(res.headers['ratelimit-policy']), { q: 3, w: 60 });
        const state = fieldParameters(res.headers.ratelimit);
        remaining.push(state.r ?? -1);
        assert.ok(state.t !== undefined && state.t > 0 && state.t <= 60, String(res.headers.ratelimit));
      }
      assert.deepEqual(remaining, [2, 1, 0], 'one count over both instances');

      for (const api of [second, first]) {
        const refused = await api.get(lookup());
        assert.equal(refused.status, 429);
        assert.equal(bodyOf<Probleem>(refused).code, 'tooMany');
        const wait = Number(refused.headers['retry-after']);
        assert.ok(wait >= 1 && wait <= 60, `Retry-After ${String(refused.headers['retry-after'])}`);
        assert.deepEqual(fieldParameters(refused.headers.ratelimit), { r: 0, t: wait });
        assert.equal(refused.headers['access-control-allow-origin'], '*');
        assert.match(String(refused.headers['access-control-expose-headers']), /RateLimit/);
        assert.match(String(refused.headers['access-control-expose-headers']), /Retry-After/);
      }
    });

    it('counts each client by its address as TRUST_PROXY reads it', async () => {
      const app = appOn(demo.db.dataSource, { apiRequestsPerMinute: 2, trustProxy: 1 });
      const from = (ip: string) => request(app).get(lookup()).set('X-Forwarded-For', ip);
      assert.equal((await from('203.0.113.7')).status, 200);
      assert.equal((await from('203.0.113.7')).status, 200);
      assert.equal((await from('203.0.113.7')).status, 429);
      assert.equal((await from('203.0.113.8')).status, 200, 'another client behind the proxy');
      // Without a trusted proxy, a spoofed header is not a new client.
      const direct = appOn(demo.db.dataSource, { apiRequestsPerMinute: 2 });
      await demo.db.dataSource.query('DELETE FROM rate_limits');
      for (const ip of ['198.51.100.1', '198.51.100.2'])
        assert.equal((await request(direct).get(lookup()).set('X-Forwarded-For', ip)).status, 200);
      assert.equal((await request(direct).get(lookup()).set('X-Forwarded-For', '198.51.100.3')).status, 429);
    });

    it('takes the shared count in batches and still grants exactly the quota across instances', async () => {
      const limiter = (dataSource: DataSource) =>
        postgresLimiter(dataSource, { keyPrefix: 'batch_test', points: 700, durationSeconds: 60 });
      const instances = [
        new RequestAllowance(limiter(demo.db.dataSource), 700),
        new RequestAllowance(limiter(other), 700),
      ];
      let granted = 0;
      for (let i = 0; i < 760; i++) {
        const answer = await instances[i % 3 === 0 ? 1 : 0]!.take('client', new Date());
        if (!('waitSeconds' in answer)) granted++;
      }
      const [row] = await demo.db.dataSource.query<{ points: number }[]>(
        `SELECT points FROM rate_limits WHERE key = 'batch_test:client'`,
      );
      assert.ok(granted <= 700, `${granted} granted of a quota of 700`);
      // Each instance may lose at most one batch (7) it took and did not hand out.
      assert.ok(granted >= 700 - 2 * 7, `only ${granted} granted of a quota of 700`);
      assert.ok((row?.points ?? 0) >= 700, `the shared count reached ${row?.points}`);
    });
  });

  describe('bulk checks at once per client', () => {
    const list = { kvkNummers: [demoKvkOf('Polderwolk'), '12121212'] };

    it('refuses the third of three at once (limit 2) with 429 across two instances, and frees the places after', async () => {
      const config = { bulkChecksPerClient: 2, heavyWaitSeconds: 60 };
      const appA = appOn(demo.db.dataSource, config);
      const appB = appOn(other, config);
      // Instance A's heavy share is full: its two checks take their places, then wait for a connection.
      const gate = heavyWorkGate(demo.db.dataSource);
      const held = await Promise.all(Array.from({ length: gate.size }, () => gate.acquire()));
      const running = [1, 2].map(() =>
        request(appA)
          .post('/api/v1/controles')
          .send(list)
          .then((r) => r),
      );
      await until(async () => (await leasesHeld(demo.db.dataSource)) === 2, 'both checks hold a place');

      const refused = await apiClient(appB).post('/api/v1/controles', list);
      assert.equal(refused.status, 429);
      assert.equal(bodyOf<Probleem>(refused).code, 'tooManyChecks');
      assert.equal(refused.headers['retry-after'], '2');
      assert.equal(refused.headers['access-control-allow-origin'], '*');

      // The web form shares the count with the API.
      const agent = request.agent(appB);
      const _csrf = await tokenFor(agent, '/controleren/lijst');
      const page = await agent
        .post('/controleren/lijst')
        .type('form')
        .send({ _csrf, nummers: demoKvkOf('Polderwolk'), peildatum: '2026-01-15' });
      assert.equal(page.status, 429);
      assert.equal(page.headers['retry-after'], '2');
      assert.match(page.text, /controles van uw adres tegelijk; probeer het over enkele seconden opnieuw/);
      assert.match(page.text, /id="field-nummers"/, 'the form again, with the list');

      for (const release of held) release();
      for (const res of await Promise.all(running)) assert.equal(res.status, 200);
      await until(async () => (await leasesHeld(demo.db.dataSource)) === 0, 'the places are given back');
      assert.equal((await apiClient(appB).post('/api/v1/controles', list)).status, 200);
    });

    it('does not count the places of an instance that died (their lease ended)', async () => {
      await demo.db.dataSource.query(
        `INSERT INTO concurrency_leases (key, expires_at) VALUES ($1, now() - interval '1 second'), ($1, now() - interval '1 second')`,
        ['bulk_check:127.0.0.1'],
      );
      const app = appOn(demo.db.dataSource, { bulkChecksPerClient: 2 });
      assert.equal((await apiClient(app).post('/api/v1/controles', list)).status, 200);
      // The ended leases were cleared when the check took its place, and its own is given back.
      await until(
        async () =>
          Number(
            (
              await demo.db.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM concurrency_leases`)
            )[0]?.n,
          ) === 0,
        'no lease is left',
      );
    });
  });

  describe('the heavy share of the pool', () => {
    it('answers a lookup at once while heavy work holds its whole share, and turns away heavy work that waits too long', async function () {
      this.timeout(30_000);
      const app = appOn(demo.db.dataSource, { heavyWaitSeconds: 1 });
      const gate = heavyWorkGate(demo.db.dataSource);
      const pool = databasePool(demo.db.dataSource).options.max ?? 0;
      assert.ok(gate.size >= 1 && gate.size < pool, `share ${gate.size} of ${pool}`);
      // Heavy work holding real connections for a while: the whole share.
      const busy = Array.from({ length: gate.size }, () =>
        withHeavyConnection(demo.db.dataSource, (manager) => manager.query('SELECT pg_sleep(4)')),
      );
      await until(() => Promise.resolve(gate.load.running === gate.size), 'the share is taken');

      const started = Date.now();
      const looked = await apiClient(app).get(lookup());
      assert.equal(looked.status, 200);
      assert.ok(Date.now() - started < 1000, `the lookup took ${Date.now() - started} ms`);

      const waited = await apiClient(app).post('/api/v1/controles', {
        kvkNummers: [demoKvkOf('Polderwolk')],
      });
      assert.equal(waited.status, 503);
      assert.equal(bodyOf<Probleem>(waited).code, 'busy');
      assert.equal(waited.headers['retry-after'], '1');
      assert.equal(waited.headers['access-control-allow-origin'], '*');
      const download = await request(app).get('/open-data/hostingproviders.csv');
      assert.equal(download.status, 503, 'a full download is heavy work too');
      assert.equal(download.headers['retry-after'], '1');

      await Promise.all(busy);
      assert.deepEqual(gate.load, { running: 0, waiting: 0 });

      // Bulk checks also take turns computing on an instance: one waits for the other's turn.
      const turn = heavyComputeTurn(demo.db.dataSource);
      const holding = await turn.acquire();
      const queued = await apiClient(app).post('/api/v1/controles', {
        kvkNummers: [demoKvkOf('Polderwolk')],
      });
      assert.equal(queued.status, 503, 'no turn within the wait');
      holding();
      assert.deepEqual(turn.load, { running: 0, waiting: 0 });
      assert.equal((await apiClient(app).post('/api/v1/controles', { kvkNummers: [] })).status, 400);
      assert.equal(
        (await apiClient(app).post('/api/v1/controles', { kvkNummers: [demoKvkOf('Polderwolk')] })).status,
        200,
      );
    });
  });
});
