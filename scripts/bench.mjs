// The benchmark: loads 10,000 providers with histories into a fresh database, serves the register,
// and prints requests/s and latency for the search page and the time of a 10,000-number bulk check.
// Usage: npm run bench   (BENCH_DATABASE_URL to use a server; otherwise an embedded PostgreSQL)
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';
import pg from 'pg';

const require = createRequire(import.meta.url);
const dist = path.resolve(import.meta.dirname, '..', 'dist', 'src');
const { createApp } = require(path.join(dist, 'app.js'));
const { loadConfig } = require(path.join(dist, 'config.js'));
const { createDataSource } = require(path.join(dist, 'database', 'data-source.js'));
const { runMigrations } = require(path.join(dist, 'database', 'connect.js'));
const { startEmbeddedPostgres } = require(path.join(dist, 'database', 'embedded.js'));
const { seedBulk } = require(path.join(dist, 'seed', 'bulk.js'));
const { createLogger } = require(path.join(dist, 'shared', 'logger.js'));
const { createLifecycle } = require(path.join(dist, 'shared', 'lifecycle.js'));

const PROVIDERS = Number(process.env.BENCH_PROVIDERS ?? 10_000);
const logger = createLogger('silent');
const line = (label, value) => console.log(`${label.padEnd(52)} ${value}`);

let embedded;
let parent;
let url = process.env.BENCH_DATABASE_URL;
let adminUrl;
const dbName = `vhp_bench_${process.pid}`;
if (url) {
  adminUrl = url;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${dbName}`;
  url = u.toString();
} else {
  parent = mkdtempSync(path.join(os.tmpdir(), 'vhp-bench-'));
  chmodSync(parent, 0o755);
  embedded = await startEmbeddedPostgres({
    directory: path.join(parent, 'postgres'),
    logger,
    persistent: false,
  });
  url = embedded.url;
}

const dataSource = createDataSource({ url, poolSize: 20 });
await dataSource.initialize();
try {
  await runMigrations(dataSource, logger);
  const seeded = Date.now();
  await seedBulk(dataSource, PROVIDERS, (done, total) =>
    process.stderr.write(`\rseed:bulk ${done}/${total} providers`),
  );
  process.stderr.write('\n');
  line(`seed:bulk --providers ${PROVIDERS}`, `${((Date.now() - seeded) / 1000).toFixed(1)} s`);

  const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), loginAttemptsPerIp: 1_000_000 };
  const app = createApp({ config, dataSource, logger, lifecycle: createLifecycle() });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;

  async function load(label, path, connections = 16, duration = 10) {
    const result = await autocannon({ url: `${base}${path}`, connections, duration });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${label}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    line(
      label,
      `${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms (${connections} connections)`,
    );
    return result;
  }

  const byName = await load('search page: name with a typo (?q=polderdjk)', '/hostingproviders?q=polderdjk');
  await load('search page: status filter, page 5', '/hostingproviders?status=verantwoord&page=5');
  await load('register page: first page, no query', '/hostingproviders');

  // Bulk check over HTTP, the way a browser sends it: a session, its CSRF token, a multipart form.
  const page = await fetch(`${base}/controleren/lijst`);
  const cookie = page.headers.get('set-cookie').split(';')[0];
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())[1];
  const numbers = Array.from(
    { length: 10_000 },
    (_, i) => String(80_000_001 + (i % PROVIDERS)) + (i % 7 === 0 ? ';ref' : ''),
  ).join('\n');
  const times = [];
  for (let run = 0; run < 5; run++) {
    const form = new FormData();
    form.set('_csrf', token);
    form.set('nummers', numbers);
    form.set('peildatum', new Date().toISOString().slice(0, 10));
    form.set('formaat', 'csv');
    const started = performance.now();
    const res = await fetch(`${base}/controleren/lijst`, { method: 'POST', body: form, headers: { cookie } });
    const body = await res.text();
    times.push(performance.now() - started);
    if (res.status !== 200 || body.split('\r\n').length < 10_000)
      throw new Error(`bulk check answered ${res.status}`);
  }
  times.sort((a, b) => a - b);
  line(
    'bulk check of 10,000 numbers (HTTP, CSV answer)',
    `median ${Math.round(times[2])} ms, worst ${Math.round(times[4])} ms of 5`,
  );

  console.log('\ntargets');
  line(
    '  search page p99 ≤ 100 ms at 16 connections',
    byName.latency.p99 <= 100 ? `met (${byName.latency.p99} ms)` : `MISSED (${byName.latency.p99} ms)`,
  );
  line(
    '  bulk check of 10,000 ≤ 2 s',
    times[4] <= 2000 ? `met (${Math.round(times[4])} ms)` : `MISSED (${Math.round(times[4])} ms)`,
  );
  server.close();
} finally {
  await dataSource.destroy();
  if (embedded) {
    await embedded.stop();
    rmSync(parent, { recursive: true, force: true });
  } else {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}
