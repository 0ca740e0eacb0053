// Matching reseller signals (issue 19 §4): on a fresh database with 1,000 providers that together
// declared 100,000 resellers (KvK numbers, domains, mail domains, IP ranges, AS numbers, names) and
// 10,000 signals sealed as the register seals them, times (a) matching all 10,000 signals against
// everything in one call of `matchSignals` (target < 5 s) and (b) one new signal against everything,
// median and p95 over 50 runs (target < 200 ms). Some signals name declared resellers (identifiers
// or look-alike names), most name nobody's; the match counts show the matching did its work.
// Usage: npm run bench:signals   (BENCH_DATABASE_URL to use a server; otherwise an embedded PostgreSQL;
// BENCH_PROVIDERS, BENCH_DECLARATIONS, BENCH_SIGNALS, BENCH_SAMPLES to change the sizes)
import { Buffer } from 'node:buffer';
import path from 'node:path';
import { createRequire } from 'node:module';
import { benchDatabase } from './bench-database.mjs';

const require = createRequire(import.meta.url);
const dist = path.resolve(import.meta.dirname, '..', 'dist', 'src');
const { createRegisterDataSource } = require(path.join(dist, 'entities.js'));
const { runMigrations } = require(path.join(dist, 'database', 'connect.js'));
const { createLogger } = require(path.join(dist, 'shared', 'logger.js'));
const { seedBulk } = require(path.join(dist, 'seed', 'bulk.js'));
const { signalKeys } = require(path.join(dist, 'signals', 'signal-keys.js'));
const { exactIdentifiers, identifierMac } = require(path.join(dist, 'signals', 'reseller-identifiers.js'));
const { matchSignals } = require(path.join(dist, 'signals', 'signal-matching.js'));
const { identifierRows } = require(path.join(dist, 'signals', 'declared-reseller.service.js'));
const { insertDeclarations, insertDeclarationIdentifiers } = require(
  path.join(dist, 'signals', 'declared-reseller.queries.js'),
);

const PROVIDERS = Number(process.env.BENCH_PROVIDERS ?? 1_000);
const DECLARATIONS = Number(process.env.BENCH_DECLARATIONS ?? 100_000);
const SIGNALS = Number(process.env.BENCH_SIGNALS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 50);
const SETTINGS = { answerDays: 30, baseUrl: 'https://register.example' };

const line = (label, value) => console.log(`${label.padEnd(60)} ${value}`);
const ms = (v) => `${v.toFixed(1)} ms`;
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** A fixed pseudo-random sequence (mulberry32): the same world every run. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = random(19);
const int = (n) => Math.floor(next() * n);
const pick = (list) => list[int(list.length)];

// Names as brands and family names are made: syllables of Dutch-like sounds (some 5,000), one to
// three to a word, so that names share trigrams as real ones do, without a list of real firms.
const ONSETS = 'b br d dr f fl g gr h j k kl kr l m n p pl pr r s sch sl sm sn sp st str t tr v w z zw'.split(
  ' ',
);
const NUCLEI = 'a e i o u aa ee oo ie oe ui ei ij au'.split(' ');
const CODAS = ['', 'n', 'r', 'l', 'k', 's', 't', 'm', 'ng', 'rd', 'lt'];
const syllable = () => `${pick(ONSETS)}${pick(NUCLEI)}${pick(CODAS)}`;
const WORDS = [
  'Hosting',
  'Cloud',
  'Web',
  'Net',
  'Media',
  'Digital',
  'Services',
  'Solutions',
  'ICT',
  'Systems',
];
const FORMS = ['B.V.', 'V.O.F.', '', 'Holding B.V.', 'N.V.'];
const TLDS = ['nl', 'com', 'eu', 'net', 'io', 'shop'];
const word = () => {
  const w = Array.from({ length: 1 + int(3) }, syllable).join('');
  return w[0].toUpperCase() + w.slice(1);
};
/** Every KvK number used once: reseller n has 30,000,000 + n (signals reuse some, invent others). */
const kvkOf = (n) => String(30_000_000 + n);

/** The n-th reseller's identity: a name, a KvK number, one or two domains, a mail domain, mostly an IP range, sometimes an AS. */
function reseller(n) {
  const stem = `${word()}${word().toLowerCase()}`;
  const domain = `${stem.toLowerCase()}${n}.${pick(TLDS)}`;
  const v6 = next() < 0.3;
  const ip = v6
    ? `2001:db8:${(n >> 8).toString(16)}:${(n & 0xff).toString(16)}00::/56`
    : `${10 + (n >> 16)}.${(n >> 8) & 0xff}.${n & 0xff}.0/24`;
  return {
    names: [`${stem} ${pick(WORDS)} ${pick(FORMS)}`.trim()],
    kvkNumbers: [kvkOf(n)],
    domains: next() < 0.3 ? [domain, `shop.${domain}`] : [domain],
    mailDomains: next() < 0.5 ? [domain] : [`mail.${domain}`],
    ipRanges: next() < 0.8 ? [ip] : [],
    asNumbers: next() < 0.1 ? [64_512 + (n % 1000)] : [],
  };
}

const keys = signalKeys(Buffer.alloc(32, 19));
const database = await benchDatabase(dist, createLogger('silent'), 'vhp_bench_signals');
const dataSource = createRegisterDataSource({ url: database.url, poolSize: 4 });
await dataSource.initialize();
try {
  await runMigrations(dataSource, createLogger('silent'));
  let started = performance.now();
  await seedBulk(dataSource, PROVIDERS, new Date());
  const providerIds = (
    await dataSource.query(`SELECT id FROM providers ORDER BY kvk_number LIMIT $1`, [PROVIDERS])
  ).map((r) => r.id);
  line(
    `seed:bulk of ${providerIds.length.toLocaleString('en')} providers`,
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const [{ id: userId }] = await dataSource
    .query(`SELECT id FROM users LIMIT 1`)
    .then((rows) => (rows.length > 0 ? rows : [{ id: null }]));

  started = performance.now();
  const identities = [];
  const perProvider = Math.ceil(DECLARATIONS / providerIds.length);
  for (let p = 0; p < providerIds.length && identities.length < DECLARATIONS; p++) {
    const rows = [];
    for (let i = 0; i < perProvider && identities.length < DECLARATIONS; i++) {
      const identity = reseller(identities.length);
      identities.push(identity);
      rows.push({
        reference: `KLANT-${identities.length}`,
        names: identity.names,
        kvkNumber: identity.kvkNumbers[0],
        domains: identity.domains,
        mailDomains: identity.mailDomains,
        ipRanges: identity.ipRanges,
        asNumbers: identity.asNumbers,
      });
    }
    await dataSource.transaction(async (m) => {
      const ids = await insertDeclarations(m, providerIds[p], userId, 'spreadsheet', rows, new Date());
      await insertDeclarationIdentifiers(
        m,
        providerIds[p],
        ids.flatMap((id, i) => identifierRows(keys, id, rows[i])),
      );
    });
  }
  // As autovacuum leaves a table in use: statistics, and the trigram index's pending entries merged.
  await dataSource.query(`VACUUM ANALYZE declared_resellers`);
  await dataSource.query(`VACUUM ANALYZE declared_reseller_identifiers`);
  line(
    `${identities.length.toLocaleString('en')} declared resellers stored`,
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const [{ id: supplierId }] = await dataSource.query(
    `INSERT INTO signal_suppliers (name) VALUES ('Bench politie-eenheid') RETURNING id`,
  );
  /**
   * A signal: one in 20 names a declared reseller by one identifier (KvK, parent domain, mail
   * domain, an address in its range, or its AS), one in 50 by a look-alike name only; the rest
   * name resellers nobody declared.
   */
  const signalIdentity = (n) => {
    const roll = next();
    const empty = { kvkNumbers: [], names: [], domains: [], mailDomains: [], ipRanges: [], asNumbers: [] };
    if (roll < 0.05) {
      const known = identities[int(identities.length)];
      const how = int(4);
      if (how === 0) return { ...empty, kvkNumbers: known.kvkNumbers };
      if (how === 1) return { ...empty, domains: [known.domains[0]] };
      if (how === 2 && known.ipRanges.length > 0)
        return {
          ...empty,
          ipRanges: [known.ipRanges[0].replace(/0\/24$/, '7/32').replace(/00::\/56$/, '42::1/128')],
        };
      return { ...empty, mailDomains: known.mailDomains };
    }
    if (roll < 0.07) {
      const known = identities[int(identities.length)];
      return { ...empty, names: [known.names[0].replace(/o/g, '0').toUpperCase()] };
    }
    // Nobody's reseller: identifiers of its own (an AS number outside the declared ones' pool too).
    const unknown = reseller(1_000_000 + n);
    return {
      ...unknown,
      kvkNumbers: [kvkOf(5_000_000 + n)],
      asNumbers: unknown.asNumbers.length ? [4_200_000_000 + n] : [],
    };
  };
  started = performance.now();
  /** Stores signals as the register does (sealed, HMACs of exact identifiers); answers their ids. */
  const storeSignals = async (m, count, offset) => {
    const list = Array.from({ length: count }, (_, i) => signalIdentity(offset + i));
    const rows = await m.query(
      `INSERT INTO signals (signal_supplier_id, category, confidence, observed_on, expires_on, sealed, source)
       SELECT $1, 'phishing', 'high', current_date, current_date + 180, s, 'spreadsheet' FROM unnest($2::text[]) s
       RETURNING id`,
      [supplierId, list.map((identity) => keys.seal({ identity, text: 'Bench' }))],
    );
    const ids = rows.map((r) => r.id);
    const macs = list.flatMap((identity, i) =>
      exactIdentifiers(identity, false).map(({ kind, value }) => [
        ids[i],
        kind,
        identifierMac(keys.macKey, kind, value),
      ]),
    );
    await m.query(
      `INSERT INTO signal_identifiers (signal_id, kind, mac) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
      [macs.map((x) => x[0]), macs.map((x) => x[1]), macs.map((x) => x[2])],
    );
    return ids;
  };
  const signalIds = await dataSource.transaction((m) => storeSignals(m, SIGNALS, 0));
  await dataSource.query(`ANALYZE signals; ANALYZE signal_identifiers`);
  line(
    `${signalIds.length.toLocaleString('en')} signals stored`,
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  if (process.env.BENCH_STOP_AFTER_SEED) throw new Error('stopped after seeding');
  // (a) Every signal against everything, in one call (and one transaction).
  started = performance.now();
  const timings = {};
  const all = await dataSource.transaction((m) =>
    matchSignals(m, keys, signalIds, SETTINGS, new Date(), { timings }),
  );
  const allMs = performance.now() - started;
  const kinds = await dataSource.query(
    `SELECT kind, count(*)::int AS n FROM signal_matches GROUP BY kind ORDER BY kind`,
  );
  line(
    `(a) ${signalIds.length.toLocaleString('en')} signals × ${identities.length.toLocaleString('en')} declarations`,
    `${(allMs / 1000).toFixed(2)} s (target < 5 s)`,
  );
  line('    matches / providers with a match', `${all.matches} / ${all.providers}`);
  line('    matches by kind', kinds.map((k) => `${k.kind} ${k.n}`).join(', '));
  for (const [step, spent] of Object.entries(timings)) line(`    step: ${step}`, ms(spent));

  // (b) One new signal against everything: stored untimed, matched timed, SAMPLES times.
  const times = [];
  const split = {};
  let matched = 0;
  for (let i = 0; i < SAMPLES + 5; i++) {
    const [id] = await dataSource.transaction((m) => storeSignals(m, 1, SIGNALS + i));
    const t0 = performance.now();
    const stepTimes = {};
    const outcome = await dataSource.transaction((m) =>
      matchSignals(m, keys, [id], SETTINGS, new Date(), { timings: stepTimes }),
    );
    if (i >= 5) {
      for (const [step, spent] of Object.entries(stepTimes)) split[step] = (split[step] ?? 0) + spent;
      times.push(performance.now() - t0);
      matched += outcome.matches;
    }
  }
  times.sort((a, b) => a - b);
  line(`(b) one new signal, ${SAMPLES} runs: median`, `${ms(quantile(times, 0.5))} (target < 200 ms)`);
  line('    p95 / max', `${ms(quantile(times, 0.95))} / ${ms(times[times.length - 1])}`);
  line('    matches found over the runs', String(matched));
  for (const [step, spent] of Object.entries(split)) line(`    step (mean): ${step}`, ms(spent / SAMPLES));
} finally {
  await dataSource.destroy();
  if (process.env.BENCH_KEEP) console.log(`kept: ${database.url}`);
  else await database.drop();
}
