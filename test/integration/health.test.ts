import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createRegisterDataSource } from '../../src/entities';
import { shutdown } from '../../src/server';
import { createLogger } from '../../src/shared/logger';
import { testApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { assertValidHtml } from '../helpers/html';
import { TcpProxy } from '../helpers/tcp-proxy';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('health and readiness', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let dataSource: DataSource;

  before(async () => {
    db = await createTestDatabase();
    const proxied = await TcpProxy.in(db.url);
    proxy = proxied.proxy;
    dataSource = createRegisterDataSource({ url: proxied.url, poolSize: 3 });
    await dataSource.initialize();
  });

  after(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
    await proxy.stop();
    await db.drop();
  });

  it('GET /healthz answers 200 while the process runs', async () => {
    const res = await request(testApp(dataSource).app).get('/healthz').expect(200);
    assert.deepEqual(res.body, { status: 'ok' });
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('GET /readyz answers 200 when the database answers and every migration is applied', async () => {
    const res = await request(testApp(dataSource).app).get('/readyz').expect(200);
    assert.deepEqual(res.body, { status: 'ready' });
  });

  it('GET /readyz many times adds no listener per check (no MaxListenersExceededWarning)', async () => {
    const warnings: string[] = [];
    const listen = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', listen);
    try {
      const { app } = testApp(dataSource);
      for (let i = 0; i < 15; i++) await request(app).get('/readyz').expect(200);
      await sleep(50);
    } finally {
      process.off('warning', listen);
    }
    assert.deepEqual(
      warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')),
      [],
    );
  });

  it('answers 503 while the database is away, and serves again within 5 s after it returns, without a restart', async function () {
    this.timeout(30_000);
    const { app } = testApp(dataSource);
    await request(app).get('/hostingproviders').expect(200);

    await proxy.stop();
    const ready = await request(app).get('/readyz').expect(503);
    assert.deepEqual(ready.body, { status: 'database_unavailable' });
    const page = await request(app).get('/hostingproviders').expect(503);
    assert.equal(page.headers['retry-after'], '5');
    assert.match(page.text, /Tijdelijk niet beschikbaar/);
    assert.doesNotMatch(page.text, /ECONNREFUSED|Error:|at .*\.js/);
    await assertValidHtml(page.text, 'the 503 page');

    await proxy.start();
    const back = Date.now();
    let status = 0;
    while (Date.now() - back < 5000) {
      status = (await request(app).get('/hostingproviders')).status;
      if (status === 200) break;
      await sleep(100);
    }
    assert.equal(status, 200, 'the register did not serve again within 5 s');
    await request(app).get('/readyz').expect(200);
  });

  it('GET /readyz answers 503 while migrations are pending', async () => {
    const bare = await createTestDatabase({ migrated: false });
    try {
      const res = await request(testApp(bare.dataSource).app).get('/readyz').expect(503);
      assert.deepEqual(res.body, { status: 'migrations_pending' });
    } finally {
      await bare.drop();
    }
  });

  it('on shutdown turns /readyz 503, lets requests in flight finish, then closes the pool', async function () {
    this.timeout(15_000);
    const own = await createTestDatabase();
    const { app, lifecycle } = testApp(own.dataSource);
    const outer = express();
    outer.get('/slow', async (_req, res) => {
      await sleep(600);
      res.send('finished');
    });
    outer.use(app);
    const server = outer.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const inFlight = fetch(`${base}/slow`);
    await sleep(100);
    const stopped = shutdown({
      server,
      lifecycle,
      delayMs: 300,
      close: () => own.dataSource.destroy(),
      logger: createLogger('silent'),
    });
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'stopping' });

    const slow = await inFlight;
    assert.equal(slow.status, 200);
    assert.equal(await slow.text(), 'finished');
    await stopped;
    assert.equal(own.dataSource.isInitialized, false, 'the pool is closed');
    await own.drop();
  });
});
