// What watch lists add to a reviewer's decision (issue 18): on a fresh database of bulk-seeded
// providers, a reviewer suspends verantwoord providers through the service call the review route
// makes (`actOnProvider`, one transaction with the status event, its audit event, the snapshot
// refresh and, with watch lists, the watch event and its fan-out), first with no watch lists at
// all, then with 10,000 watched suppliers across 100 buyers (each buyer a list of 100, and some
// suppliers on every list) and a webhook subscription per buyer organisation. Each suspension is
// lifted again, untimed, so the same providers can be suspended again. Suspensions of the pool to be
// watched alternate with those of a control pool nobody watches, before and with the lists, so both
// meet the same load on a shared machine: what watching adds is the difference between the pools
// with the lists less the one they had before. Prints median and p95 of each and what the lists add
// (target: under 10 ms).
// Usage: npm run bench:watch   (BENCH_DATABASE_URL to use a server; otherwise an embedded PostgreSQL;
// BENCH_PROVIDERS seeded providers, default 10,500 (10,000 watched and the rest unwatched); BENCH_SAMPLES suspensions per phase, default 200)
import path from 'node:path';
import { createRequire } from 'node:module';
import { benchDatabase } from './bench-database.mjs';

const require = createRequire(import.meta.url);
const dist = path.resolve(import.meta.dirname, '..', 'dist', 'src');
const { createRegisterDataSource } = require(path.join(dist, 'entities.js'));
const { runMigrations } = require(path.join(dist, 'database', 'connect.js'));
const { createLogger } = require(path.join(dist, 'shared', 'logger.js'));
const { loadConfig } = require(path.join(dist, 'config.js'));
const { seedBulk } = require(path.join(dist, 'seed', 'bulk.js'));
const { createUser } = require(path.join(dist, 'identity', 'account.service.js'));
const { actOnProvider } = require(path.join(dist, 'application', 'provider-actions.service.js'));

const PROVIDERS = Number(process.env.BENCH_PROVIDERS ?? 10_500);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const BUYERS = 100;
const PER_LIST = 100;
/** Suppliers of the timed pool that are on every buyer's list (the much-watched ones). */
const ON_EVERY_LIST = 20;
/** Distinct providers suspended and lifted in turn. */
const POOL = 100;

const line = (label, value) => console.log(`${label.padEnd(56)} ${value}`);
const ms = (v) => `${v.toFixed(2)} ms`;
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const config = loadConfig({ NODE_ENV: 'test', PUBLIC_BASE_URL: 'https://register.example' });
const database = await benchDatabase(dist, createLogger('silent'), 'vhp_bench_watch');
const dataSource = createRegisterDataSource({ url: database.url, poolSize: 10 });
await dataSource.initialize();
try {
  await runMigrations(dataSource, createLogger('silent'));
  let started = performance.now();
  await seedBulk(dataSource, PROVIDERS, new Date());
  line(
    `seed:bulk of ${PROVIDERS.toLocaleString('en')} providers`,
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const reviewer = await createUser(
    dataSource,
    {
      email: 'bench-reviewer@register.example',
      name: 'Bench reviewer',
      role: 'reviewer',
      password: 'bench watch reviewer 1234',
    },
    'bench',
    new Date(),
  );
  // Two pools of verantwoord, confirmed providers: one to be watched, one (the control) never.
  const verantwoord = (
    await dataSource.query(
      `SELECT p.kvk_number FROM providers p JOIN provider_status s ON s.provider_id = p.id
        WHERE s.status = 'verantwoord' AND p.identity_confirmed_at IS NOT NULL ORDER BY p.kvk_number LIMIT $1`,
      [2 * POOL],
    )
  ).map((r) => r.kvk_number);
  if (verantwoord.length < 2 * POOL)
    throw new Error(`only ${verantwoord.length} verantwoord, confirmed providers seeded`);
  const kvks = verantwoord.filter((_, i) => i % 2 === 0);
  const control = verantwoord.filter((_, i) => i % 2 === 1);

  /** A suspension of `kvkNumber`, timed, then its lift, untimed; answers the suspension's ms. */
  const suspension = async (kvkNumber) => {
    const act = (action, at) =>
      actOnProvider(
        dataSource,
        reviewer,
        kvkNumber,
        { action, reason: action === 'lift' ? '' : 'Bench: misbruik', until: '' },
        config,
        at,
      );
    const t0 = performance.now();
    await act('suspend', new Date());
    const took = performance.now() - t0;
    await act('lift', new Date(Date.now() + 1));
    return took;
  };
  /** SAMPLES suspensions in each pool, alternating; answers each pool's times in ms, sorted. */
  const measure = async (...pools) => {
    const times = pools.map(() => []);
    for (let i = 0; i < SAMPLES; i++)
      for (const [p, pool] of pools.entries()) times[p].push(await suspension(pool[i % pool.length]));
    return times.map((t) => t.sort((a, b) => a - b));
  };

  // Warm-up: the JIT, the pool's connections, the plans.
  const warm = SAMPLES;
  await measure(kvks, control);
  const [without, unwatchedBefore] = await measure(kvks, control);

  started = performance.now();
  // 100 buyer organisations, a buyer each, a list of 100 suppliers each: 10,000 watched suppliers
  // (every seeded one when there are that many), the timed pool among them, ON_EVERY_LIST of it on
  // every list; a webhook subscription per organisation, so each event is fanned out to deliveries too.
  const suppliers = (
    await dataSource.query(`SELECT kvk_number FROM providers ORDER BY kvk_number LIMIT $1`, [
      BUYERS * PER_LIST,
    ])
  ).map((r) => r.kvk_number);
  await dataSource.transaction(async (m) => {
    await m.query(
      `INSERT INTO buyer_organisations (domain, name)
       SELECT 'inkoop' || i || '.overheid.nl', 'Bench-organisatie ' || i FROM generate_series(1, $1) i`,
      [BUYERS],
    );
    await m.query(
      `INSERT INTO users (email, name, role, buyer_organisation_id, watch_mail, email_verified_at, password_hash)
       SELECT 'inkoper@' || o.domain, 'Bench-inkoper', 'buyer', o.id,
              CASE WHEN row_number() OVER (ORDER BY o.domain) % 2 = 0 THEN 'daily' ELSE 'at_once' END, now(),
              -- Nobody logs in: no password hashes to.
              '$argon2id$bench-no-login'
         FROM buyer_organisations o`,
    );
    await m.query(
      `INSERT INTO watch_lists (buyer_organisation_id, owner_id, name)
       SELECT u.buyer_organisation_id, u.id, 'Contracten' FROM users u WHERE u.role = 'buyer'`,
    );
    await m.query(
      `INSERT INTO webhook_subscriptions (buyer_organisation_id, url, secret)
       SELECT o.id, 'https://' || o.domain || '/webhook', 'v1:bench' FROM buyer_organisations o`,
    );
    await m.query(
      `INSERT INTO watch_list_entries (watch_list_id, kvk_number, reference)
       SELECT l.id, s.kvk, 'REF-' || s.n
         FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM watch_lists) l
         JOIN (SELECT kvk, row_number() OVER () - 1 AS n FROM unnest($1::text[]) kvk) s ON s.n / $2 = l.i`,
      [suppliers, PER_LIST],
    );
    await m.query(
      `INSERT INTO watch_list_entries (watch_list_id, kvk_number, reference)
       SELECT l.id, k, 'VEEL' FROM watch_lists l CROSS JOIN unnest($1::text[]) k
       ON CONFLICT DO NOTHING`,
      [kvks.slice(0, ON_EVERY_LIST)],
    );
  });
  // The timed pool is watched: on one list each, the first ON_EVERY_LIST on every list.
  await dataSource.query(
    `INSERT INTO watch_list_entries (watch_list_id, kvk_number, reference)
     SELECT (SELECT id FROM watch_lists ORDER BY id LIMIT 1), k, 'POOL' FROM unnest($1::text[]) k
     WHERE NOT EXISTS (SELECT 1 FROM watch_list_entries e WHERE e.kvk_number = k)`,
    [kvks],
  );
  await dataSource.query('ANALYZE');
  const [counts] = await dataSource.query(
    `SELECT count(*)::int AS entries, count(DISTINCT kvk_number)::int AS suppliers FROM watch_list_entries`,
  );
  line(
    'watch lists made',
    `${BUYERS} buyers, ${counts.entries.toLocaleString('en')} entries, ${counts.suppliers.toLocaleString('en')} suppliers (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );

  await measure(kvks, control);
  const [withLists, unwatched] = await measure(kvks, control);
  const [events] = await dataSource.query(
    `SELECT (SELECT count(*)::int FROM watch_events) AS events, (SELECT count(*)::int FROM watch_notifications) AS notifications,
            (SELECT count(*)::int FROM webhook_deliveries) AS deliveries`,
  );

  // The lists removed again: does the control pool come back, or did the machine (or the larger
  // log) make every decision slower meanwhile?
  await dataSource.query(`DELETE FROM watch_list_entries`);
  const [, unwatchedAfter] = await measure(kvks, control);

  const median = (t) => quantile(t, 0.5);
  const p95 = (t) => quantile(t, 0.95);
  console.log();
  line(`reviewer's suspension (${SAMPLES} timed after ${warm} untimed)`, 'median     p95');
  line('  before the lists: the pool to be watched', `${ms(median(without))}  ${ms(p95(without))}`);
  line(
    '  before the lists: the control pool (alternating)',
    `${ms(median(unwatchedBefore))}  ${ms(p95(unwatchedBefore))}`,
  );
  line('  with the lists: a watched supplier', `${ms(median(withLists))}  ${ms(p95(withLists))}`);
  line(
    '  with the lists: the control pool, unwatched (alternating)',
    `${ms(median(unwatched))}  ${ms(p95(unwatched))}`,
  );
  // What watching adds: the difference between the pools with the lists, less the one they had before.
  const added = median(withLists) - median(unwatched) - (median(without) - median(unwatchedBefore));
  const addedP95 = p95(withLists) - p95(unwatched) - (p95(without) - p95(unwatchedBefore));
  line('  added by the watch lists (median; p95)', `${ms(added)}; ${ms(addedP95)}`);
  line(
    '  the control pool: before, with, after the lists',
    `${ms(median(unwatchedBefore))} → ${ms(median(unwatched))} → ${ms(median(unwatchedAfter))}`,
  );
  line('  target: under 10 ms added (median)', added < 10 ? 'met' : 'MISSED');
  line(
    '  written while timed and warmed, with lists',
    `${events.events.toLocaleString('en')} watch events, ${events.notifications.toLocaleString('en')} notifications, ${events.deliveries.toLocaleString('en')} webhook deliveries`,
  );
} finally {
  await dataSource.destroy();
  await database.drop();
}
