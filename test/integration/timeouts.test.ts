import assert from 'node:assert/strict';
import express from 'express';
import { Client } from 'pg';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { problemHandler } from '../../src/api/problem';
import { databasePool, READINESS_DEADLINE_MS } from '../../src/database/data-source';
import { withHeavyConnection } from '../../src/database/heavy-work';
import { allowLongWork, type DatabaseLimits, SILENCE_MARGIN_MS } from '../../src/database/limits';
import { streamQuery } from '../../src/database/stream';
import { createRegisterDataSource } from '../../src/entities';
import { Provider } from '../../src/provider/provider.entity';
import { createLogger } from '../../src/shared/logger';
import { errorStatus } from '../../src/web/error-handler';
import { testApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { assertValidHtml } from '../helpers/html';
import { TcpProxy } from '../helpers/tcp-proxy';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Short limits, so that a test sees each of them expire in a second or two. */
const LIMITS: DatabaseLimits = {
  statementSeconds: 1,
  idleInTransactionSeconds: 1,
  poolWaitSeconds: 1,
  longWorkSeconds: 6,
};
const POOL = 3;

/** Answers `work`'s result with how long it took. */
async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

async function until(check: () => Promise<boolean>, what: string, withinMs = 5000): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`${what}: not within ${withinMs} ms`);
}

describe('nothing hangs: database limits, a frozen database, a full pool', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let dataSource: DataSource;
  let lines: string[];
  let app: express.Express;

  before(async () => {
    db = await createTestDatabase();
    const proxied = await TcpProxy.in(db.url);
    proxy = proxied.proxy;
    dataSource = createRegisterDataSource({ url: proxied.url, poolSize: POOL, limits: LIMITS });
    await dataSource.initialize();
    lines = [];
    const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
    app = testApp(dataSource, { logger }).app;
  });

  after(async () => {
    proxy.thaw();
    if (dataSource.isInitialized) await dataSource.destroy();
    await proxy.stop();
    await db.drop();
  });

  afterEach(() => proxy.thaw());

  /** The log lines of level warn that say `message`, parsed. */
  const logged = (message: RegExp) =>
    lines.map((l) => JSON.parse(l) as { msg: string; load?: boolean }).filter((l) => message.test(l.msg));

  it('ends a statement at its limit with 57014, a 503 "busy" with Retry-After, logged as load', async () => {
    const { result: error, ms } = await timed(() =>
      dataSource.query('SELECT pg_sleep(5)').then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    assert.ok(error, 'the statement ran past its limit');
    assert.equal((error as { driverError?: { code?: string } }).driverError?.code, '57014');
    assert.ok(ms < 2000, `ended after ${Math.round(ms)} ms`);
    assert.equal(errorStatus(error), 503);

    // A page whose statement waits for a lock the test holds: the same limit, through the app.
    const locker = new Client({ connectionString: db.ownerUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE providers IN ACCESS EXCLUSIVE MODE');
      lines.length = 0;
      const page = await timed(() => request(app).get('/hostingproviders'));
      assert.equal(page.result.status, 503);
      assert.ok(page.ms < 2500, `the page took ${Math.round(page.ms)} ms`);
      assert.equal(page.result.headers['retry-after'], '5');
      assert.match(page.result.text, /Het is erg druk/);
      assert.doesNotMatch(page.result.text, /niet bereikbaar|57014|canceling statement/);
      await assertValidHtml(page.result.text, 'the busy page');
      const api = await request(app).get('/api/v1/hostingproviders').set('Accept-Language', 'en');
      assert.equal(api.status, 503);
      assert.equal(api.headers['retry-after'], '5');
      assert.equal(api.headers['content-type'], 'application/problem+json; charset=utf-8');
      const problem = api.body as { code: string; title: string };
      assert.equal(problem.code, 'busy');
      assert.equal(problem.title, 'Too busy');
      assert.ok(logged(/too busy/).length >= 2, 'logged as load');
      assert.ok(logged(/too busy/).every((l) => l.load === true));
      assert.deepEqual(logged(/database unavailable/), []);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    await request(app).get('/hostingproviders').expect(200);
  });

  it('gives long work its own limit: a transaction with allowLongWork, a cursor, and back to the request limit after', async function () {
    this.timeout(30_000);
    // Longer than the statement limit and than the watch's silence (1 s + 2 s): both raised.
    const seconds = LIMITS.statementSeconds + SILENCE_MARGIN_MS / 1000 + 0.5;
    const [slept] = await dataSource.transaction(async (manager) => {
      await allowLongWork(manager);
      return manager.query<{ ok: boolean }[]>(`SELECT true AS ok FROM pg_sleep(${seconds})`);
    });
    assert.deepEqual(slept, { ok: true });
    // Heavy work (a bulk check's connection) takes it inside its own transaction as well.
    const heavy = await withHeavyConnection(dataSource, (manager) =>
      manager.transaction(async (m) => {
        await allowLongWork(m);
        return m.query<{ limit: string }[]>(`SELECT current_setting('statement_timeout') AS limit`);
      }),
    );
    assert.deepEqual(heavy, [{ limit: `${LIMITS.longWorkSeconds}s` }]);
    // Its own limit still ends it.
    await assert.rejects(
      dataSource.transaction(async (manager) => {
        await allowLongWork(manager);
        await manager.query(`SELECT pg_sleep(${LIMITS.longWorkSeconds + 1})`);
      }),
      (e: { driverError?: { code?: string } }) => e.driverError?.code === '57014',
    );
    await assert.rejects(
      dataSource.query('SELECT 1').then(() => allowLongWork(dataSource.manager)),
      /inside a transaction/,
    );

    // A download's cursor is one statement for as long as its reader reads: the long limit.
    const stream = await streamQuery<{ g: number }, number>(
      dataSource,
      'SELECT g FROM generate_series(1, 3) g, LATERAL pg_sleep(0.6)',
      [],
      (row) => row.g,
    );
    const rows: number[] = [];
    for await (const row of stream.records) rows.push(row as number);
    await stream.release();
    assert.deepEqual(rows, [1, 2, 3]);

    // Every connection of the pool is back at a request's limits.
    const pool = databasePool(dataSource);
    const clients = await Promise.all(Array.from({ length: POOL }, () => pool.connect()));
    try {
      for (const client of clients) {
        const { rows: limits } = await client.query<{ statement: string; idle: string }>(
          `SELECT current_setting('statement_timeout') AS statement,
                  current_setting('idle_in_transaction_session_timeout') AS idle`,
        );
        assert.deepEqual(limits, [{ statement: '1s', idle: '1s' }]);
      }
    } finally {
      for (const client of clients) client.release();
    }
    await assert.rejects(dataSource.query(`SELECT pg_sleep(${seconds})`), /statement timeout/);
  });

  it('answers "busy" (503, Retry-After) when no connection of the pool comes free in time; /readyz stays ready', async () => {
    const pool = databasePool(dataSource);
    const held = await Promise.all(Array.from({ length: POOL }, () => pool.connect()));
    try {
      lines.length = 0;
      const page = await timed(() => request(app).get('/hostingproviders'));
      assert.equal(page.result.status, 503);
      assert.ok(page.ms < LIMITS.poolWaitSeconds * 1000 + 1000, `the page took ${Math.round(page.ms)} ms`);
      assert.equal(page.result.headers['retry-after'], '5');
      assert.match(page.result.text, /Het is erg druk/);
      const api = await request(app).get('/api/v1/hostingproviders');
      assert.equal(api.status, 503);
      assert.equal((api.body as { code: string }).code, 'busy');
      assert.ok(logged(/too busy/).length >= 2);
      assert.deepEqual(logged(/database unavailable/), [], 'a full pool is load, not an outage');

      const ready = await timed(() => request(app).get('/readyz'));
      assert.equal(ready.result.status, 200, 'the database answers: ready');
      assert.ok(ready.ms < 1000, `/readyz took ${Math.round(ready.ms)} ms`);
    } finally {
      for (const client of held) client.release();
    }
    await request(app).get('/hostingproviders').expect(200);
  });

  it('answers 503 within the limits while the database is frozen, /readyz within a second, and serves again after', async function () {
    this.timeout(60_000);
    await request(app).get('/hostingproviders').expect(200);
    await request(app).get('/readyz').expect(200);

    proxy.freeze();
    const started = performance.now();
    const answers = await Promise.all([
      ...Array.from({ length: POOL + 2 }, () => timed(() => request(app).get('/hostingproviders'))),
      timed(() => request(app).get('/api/v1/hostingproviders')),
    ]);
    const ready = await timed(() => request(app).get('/readyz'));
    // The longest a request may take: the pool wait, then the statement limit and the margin.
    const bound = (LIMITS.poolWaitSeconds + LIMITS.statementSeconds) * 1000 + SILENCE_MARGIN_MS + 1000;
    for (const { result, ms } of answers) {
      assert.equal(result.status, 503);
      assert.ok(result.headers['retry-after'], 'Retry-After');
      assert.ok(ms < bound, `a request took ${Math.round(ms)} ms (bound ${bound} ms)`);
    }
    assert.equal(ready.result.status, 503);
    assert.deepEqual(ready.result.body, { status: 'database_unavailable' });
    assert.ok(ready.ms < 1000, `/readyz took ${Math.round(ready.ms)} ms`);
    assert.ok(ready.ms >= READINESS_DEADLINE_MS - 50, 'it waited for the database, up to its deadline');
    assert.ok(performance.now() - started < bound + 1000);

    proxy.thaw();
    await until(
      async () => (await request(app).get('/hostingproviders')).status === 200,
      'the register serves again after the freeze',
    );
    await until(async () => (await request(app).get('/readyz')).status === 200, '/readyz ready again');
    const api = await request(app).get('/api/v1/hostingproviders');
    assert.equal(api.status, 200);
  });

  it('answers a download asked for while the database is frozen with 503 within the limits, and ends one that was reading', async function () {
    this.timeout(30_000);
    const reading = await streamQuery<{ g: number }, number>(
      dataSource,
      'SELECT g FROM generate_series(1, 3) g',
      [],
      (row) => row.g,
    );
    const rows: number[] = [];
    for await (const row of reading.records) rows.push(row as number);
    assert.deepEqual(rows, [1, 2, 3]);

    proxy.freeze();
    // Its connection goes back to the pool with a request's limit: the reset waits for the silent
    // database at most the watch's time, then the connection is dropped instead.
    const released = await timed(() => reading.release());
    const bound = LIMITS.statementSeconds * 1000 + SILENCE_MARGIN_MS + 1000;
    assert.ok(released.ms < bound, `the release took ${Math.round(released.ms)} ms`);
    const download = await timed(() => request(app).get('/open-data/hostingproviders.csv'));
    assert.equal(download.result.status, 503);
    assert.ok(download.result.headers['retry-after']);
    assert.ok(
      download.ms < bound + LIMITS.poolWaitSeconds * 1000,
      `the download took ${Math.round(download.ms)} ms`,
    );

    proxy.thaw();
    await until(
      async () => (await request(app).get('/open-data/hostingproviders.csv')).status === 200,
      'downloads work again after the freeze',
    );
  });

  it('answers 503, not 500, for a write whose connection went away between its statements', async () => {
    // A write as the services do it: statements in one transaction, with work in between; the
    // database ends the connection meanwhile (here: the test ends its backend).
    const killer = new Client({ connectionString: db.url });
    await killer.connect();
    const outer = express();
    outer.post('/write', async (_req, res) => {
      await dataSource.transaction(async (manager) => {
        const [row] = await manager.query<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
        const pid = row?.pid;
        await killer.query('SELECT pg_terminate_backend($1)', [pid]);
        await sleep(200);
        await manager.update(Provider, { kvkNumber: '00000000' }, { legalName: 'Nooit Geschreven B.V.' });
      });
      res.send('written');
    });
    const seen: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void seen.push(line) });
    outer.use(problemHandler(logger, 'http://register.test/api-documentatie'));
    try {
      const res = await request(outer).post('/write');
      // What TypeORM says when a transaction's connection was lost between two of its statements.
      assert.match(seen.join('\n'), /"type":"QueryRunnerAlreadyReleasedError"/, seen.join('\n'));
      assert.equal(res.status, 503);
      assert.equal(res.headers['retry-after'], '5');
      assert.equal((res.body as { code: string }).code, 'unavailable');
    } finally {
      await killer.end();
    }
    await request(app).get('/hostingproviders').expect(200);
  });

  it('ends a transaction left idle past its limit; the request answers 503, not 500', async () => {
    const error = await dataSource
      .transaction(async (manager) => {
        await manager.query('SELECT 1');
        await sleep(LIMITS.idleInTransactionSeconds * 1000 + 500);
        await manager.query('SELECT 1');
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(error, 'the idle transaction was ended');
    assert.equal(errorStatus(error), 503);
  });
});
