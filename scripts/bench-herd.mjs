// The herd benchmark (issue 15 §2): typo searches at 16 connections on a quiet register, and again
// right after a code-of-conduct version whose transition has already ended is published (every
// provider approved on the older version is due at once), while the background refresh recomputes
// them; also 16 typo searches sent at the same instant right after the publication, each timed, and
// how long the refresh took. Prints p50/p99 for both, with the search cache off and on.
// Usage: npm run build && node scripts/bench-herd.mjs [--providers 100000] [--database URL]
//   --database: an already seeded database to use (it gets one more code version per run, which
//   lapses the older versions only on the first run: later runs find few due after publishing);
//   otherwise a fresh one (BENCH_DATABASE_URL's server, or an embedded PostgreSQL) is seeded.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';
import { benchDatabase } from './bench-database.mjs';

const require = createRequire(import.meta.url);
const dist = path.resolve(import.meta.dirname, '..', 'dist', 'src');
const { createApp } = require(path.join(dist, 'app.js'));
const { loadConfig } = require(path.join(dist, 'config.js'));
const { createRegisterDataSource } = require(path.join(dist, 'entities.js'));
const { runMigrations } = require(path.join(dist, 'database', 'connect.js'));
const { seedBulk } = require(path.join(dist, 'seed', 'bulk.js'));
const { createLogger } = require(path.join(dist, 'shared', 'logger.js'));
const { createLifecycle } = require(path.join(dist, 'shared', 'lifecycle.js'));
const { systemClock } = require(path.join(dist, 'shared', 'clock.js'));
const { publishCodeOfConductVersion } = require(path.join(dist, 'status', 'code-of-conduct.service.js'));
const { startSnapshotRefresh } = require(path.join(dist, 'jobs', 'snapshot-refresh.js'));

const { values: args } = parseArgs({
  options: { providers: { type: 'string', default: '100000' }, database: { type: 'string' } },
});
const PROVIDERS = Number(args.providers);
const logger = createLogger('silent');
const line = (label, value) => console.log(`${label.padEnd(60)} ${value}`);

const database = args.database ? undefined : await benchDatabase(dist, logger, 'vhp_bench_herd');
const url = args.database ?? database.url;
const dataSource = createRegisterDataSource({ url, poolSize: 20 });
await dataSource.initialize();
try {
  if (database) {
    await runMigrations(dataSource, logger);
    await seedBulk(dataSource, PROVIDERS, new Date(), (done, total) =>
      process.stderr.write(`\rseed:bulk ${done}/${total} providers`),
    );
    process.stderr.write('\n');
  }
  const [{ n }] = await dataSource.query('SELECT count(*)::int AS n FROM providers');
  line('providers', n.toLocaleString('en'));

  // Typos of the bulk seed's name words, one per request in turn.
  const TYPOS = [
    'polderdjk',
    'molenbrg',
    'fietsdjik',
    'sluisven',
    'brugpoldr',
    'hostng',
    'netwrken',
    'colocatei',
  ];
  const serve = async (searchCacheSeconds) => {
    const config = {
      ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
      apiRequestsPerMinute: 1_000_000_000,
      searchCacheSeconds,
    };
    const app = createApp({ config, dataSource, logger, lifecycle: createLifecycle(), clock: systemClock });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return { server, base: `http://127.0.0.1:${server.address().port}` };
  };
  const searchPath = (word) => `/api/v1/hostingproviders?zoekterm=${word}`;

  async function load(base, label, duration = 10) {
    let i = 0;
    const result = await autocannon({
      url: `${base}${searchPath(TYPOS[0])}`,
      connections: 16,
      duration,
      requests: [{ setupRequest: (req) => ({ ...req, path: searchPath(TYPOS[i++ % TYPOS.length]) }) }],
    });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${label}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    line(
      label,
      `${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
    );
    return result;
  }

  /** 16 typo searches sent at once; answers each one's time, sorted. */
  async function burst(base) {
    const times = await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        const started = performance.now();
        const res = await fetch(`${base}${searchPath(TYPOS[i % TYPOS.length])}`);
        if (!res.ok) throw new Error(`burst: ${res.status}`);
        await res.arrayBuffer();
        return performance.now() - started;
      }),
    );
    return times.sort((a, b) => a - b);
  }
  const ms = (t) => `${Math.round(t)} ms`;

  const [due] = await dataSource.query(
    'SELECT count(*)::int AS n FROM provider_status WHERE next_change_at <= now()',
  );
  line('snapshots due before the run', due.n.toLocaleString('en'));

  /** A version whose transition ended a moment ago: everyone approved on an older version is due now. */
  const publishLapsed = async () => {
    const now = new Date();
    await dataSource.transaction((m) =>
      publishCodeOfConductVersion(
        m,
        {
          label: `herd-${now.getTime()}`,
          title: 'Herd benchmark',
          publishedAt: new Date(now.getTime() - 2000),
          transitionEndsAt: new Date(now.getTime() - 1000),
        },
        'bench',
        now,
      ),
    );
  };
  /** The worst case, as publishing did before: every snapshot due at once. */
  const allDue = () => dataSource.query(`UPDATE provider_status SET next_change_at = '-infinity'`);

  for (const [cacheSeconds, herdLabel, makeHerd] of [
    [0, 'a code version lapsing the older one', publishLapsed],
    [0, 'every snapshot due', allDue],
    [5, 'every snapshot due', allDue],
  ]) {
    console.log(`\nSEARCH_CACHE_SECONDS=${cacheSeconds}, herd: ${herdLabel}`);
    const { server, base } = await serve(cacheSeconds);
    try {
      await load(base, 'typo search (API), quiet, 16 connections', 5);
      const quiet = await load(base, 'typo search (API), quiet, 16 connections');
      await makeHerd();
      const [after] = await dataSource.query(
        'SELECT count(*)::int AS n FROM provider_status WHERE next_change_at <= now()',
      );
      line('snapshots due after publishing', after.n.toLocaleString('en'));
      const refreshStarted = performance.now();
      const stopRefresh = startSnapshotRefresh(dataSource, 1, logger, systemClock);
      const times = await burst(base);
      line(
        '16 typo searches at once, right after',
        `each ${ms(times[0])} to ${ms(times[15])}, median ${ms(times[8])}`,
      );
      const herd = await load(base, 'typo search (API), refresh running, 16 connections');
      let remaining;
      for (;;) {
        [remaining] = await dataSource.query(
          'SELECT count(*)::int AS n FROM provider_status WHERE next_change_at <= now()',
        );
        if (remaining.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await stopRefresh();
      line(
        'background refresh caught up after',
        `${((performance.now() - refreshStarted) / 1000).toFixed(1)} s`,
      );
      line(
        'herd p99 / quiet p99',
        `${herd.latency.p99} / ${quiet.latency.p99} ms; burst worst ${ms(times[15])}`,
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }
} finally {
  await dataSource.destroy();
  await database?.drop();
}
