// The argon2 amplification benchmark (issue 10 item 5): keeps 200 bogus password-form requests in
// flight (POST /wachtwoord-herstellen/<bogus> and POST /registreren, each with a valid CSRF token
// and well-formed data, each from a new X-Forwarded-For address so the per-IP limits do not hide
// the hashing gate) while measuring GET /hostingproviders; prints p50/p99 without and with the
// attack. Target: p99 < 200 ms under attack.
// Usage: npx tsc -p . && node scripts/bench-argon2.mjs
//   BENCH_DATABASE_URL  a server to create the database on (otherwise an embedded PostgreSQL)
//   BENCH_DIST          another build to measure (e.g. /work/main/dist for the code before)
//   BENCH_IN_FLIGHT     bogus requests in flight (200), BENCH_SECONDS measuring time (15)
//   BENCH_TRUST_PROXY   0 to measure with the per-IP limits in force (the default set-up)
//   PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE  the gate's settings
import path from 'node:path';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { URLSearchParams } from 'node:url';
import { once } from 'node:events';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';
import { benchDatabase } from './bench-database.mjs';

const require = createRequire(import.meta.url);
const dist = path.join(
  path.resolve(process.env.BENCH_DIST ?? path.join(import.meta.dirname, '..', 'dist')),
  'src',
);
const { createApp } = require(path.join(dist, 'app.js'));
const { loadConfig } = require(path.join(dist, 'config.js'));
const { createRegisterDataSource } = require(path.join(dist, 'entities.js'));
const { runMigrations } = require(path.join(dist, 'database', 'connect.js'));
const { seedBulk } = require(path.join(dist, 'seed', 'bulk.js'));
const { createLogger } = require(path.join(dist, 'shared', 'logger.js'));
const { createLifecycle } = require(path.join(dist, 'shared', 'lifecycle.js'));
const { systemClock } = require(path.join(dist, 'shared', 'clock.js'));
const { passwordHashesStarted } = require(path.join(dist, 'identity', 'password.js'));

const PROVIDERS = Number(process.env.BENCH_PROVIDERS ?? 1000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const logger = createLogger('silent');
const line = (label, value) => console.log(`${label.padEnd(52)} ${value}`);

/** A KvK number no one has (the bulk seed uses 80,000,000 and up). */
let kvkCounter = 0;
const freshKvk = () => String(10_000_000 + ((process.pid * 1000 + kvkCounter++) % 60_000_000));

/** A btw-id that passes the 11-test. */
function vatNumber() {
  for (;;) {
    const digits = String(Math.floor(Math.random() * 90_000_000) + 10_000_000);
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += Number(digits[i]) * (9 - i);
    if (sum % 11 < 10) return `NL${digits}${sum % 11}B01`;
  }
}

function registration() {
  const kvkNumber = freshKvk();
  return {
    legalName: `Bench Hosting ${kvkNumber} B.V.`,
    tradeNames: '',
    kvkNumber,
    vatNumber: vatNumber(),
    streetAddress: 'Proefstraat 9',
    postcode: '1234AB',
    city: 'Utrecht',
    website: '',
    abuseEmail: 'abuse@bench.example',
    asNumbers: '',
    name: 'Bench',
    email: `bench-${kvkNumber}@bench.example`,
    password: 'een lang en ongewoon wachtwoord 42',
    passwordConfirmation: 'een lang en ongewoon wachtwoord 42',
  };
}

/** IN_FLIGHT loops, each fetching a form (a session and its CSRF token) and posting it, until told to stop. */
async function runAttack(base, inFlight, kind) {
  const statuses = {};
  let stop = false;
  parentPort.once('message', () => (stop = true));
  const password = 'een lang en ongewoon wachtwoord 42';
  async function session(page, ip) {
    const res = await fetch(`${base}${page}`, { headers: { 'x-forwarded-for': ip } });
    const html = await res.text();
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return { cookie, _csrf: /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '' };
  }
  // Each loop keeps its session and token, as a real attacker would, and gets a new one only when a
  // registration signed it in (a new session id).
  async function attacker(n) {
    const reset = n % 2 === 0;
    const ip = () => `10.${n % 250}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
    let current = await session(reset ? '/inloggen' : '/registreren', ip());
    while (!stop) {
      let key;
      try {
        const fields = reset ? { password, passwordConfirmation: password } : registration();
        const target = reset ? `/wachtwoord-herstellen/${randomBytes(16).toString('hex')}` : '/registreren';
        const res = await fetch(`${base}${target}`, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            cookie: current.cookie,
            'content-type': 'application/x-www-form-urlencoded',
            'x-forwarded-for': ip(),
          },
          body: new URLSearchParams({ ...fields, _csrf: current._csrf }).toString(),
        });
        await res.arrayBuffer();
        key = `${reset ? 'reset' : 'signup'} ${res.status}`;
        if (res.status === 303) current = await session('/registreren', ip());
      } catch {
        key = `${reset ? 'reset' : 'signup'} error`;
      }
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
  }
  /** The control: the same number of loops asking for a plain page, which no password is behind. */
  async function reader() {
    while (!stop) {
      let key;
      try {
        const res = await fetch(`${base}/toegankelijkheid`);
        await res.arrayBuffer();
        key = `page ${res.status}`;
      } catch {
        key = 'page error';
      }
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: inFlight }, (_, n) => (kind === 'pages' ? reader() : attacker(n))));
  parentPort.postMessage(statuses);
}

if (!isMainThread) {
  await runAttack(workerData.base, workerData.inFlight, workerData.kind);
} else {
  const database = await benchDatabase(dist, logger, 'vhp_bench_argon2');
  const { url, folder: parent } = database;

  const dataSource = createRegisterDataSource({ url, poolSize: 10 });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource, logger);
    await seedBulk(dataSource, PROVIDERS, new Date(), () => {});
    const config = {
      ...loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATA_DIR: parent,
        // Trusting the X-Forwarded-For the attack varies: the per-IP limits cannot help, only the gate.
        TRUST_PROXY: process.env.BENCH_TRUST_PROXY ?? '1',
        PASSWORD_HASH_CONCURRENCY: process.env.PASSWORD_HASH_CONCURRENCY,
        PASSWORD_HASH_QUEUE: process.env.PASSWORD_HASH_QUEUE,
      }),
      loginAttemptsPerIp: 1_000_000,
    };
    const app = createApp({ config, dataSource, logger, lifecycle: createLifecycle(), clock: systemClock });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${server.address().port}`;
    line('build', dist);

    async function measure(label) {
      const result = await autocannon({ url: `${base}/hostingproviders`, connections: 4, duration: SECONDS });
      line(
        label,
        `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${Math.round(result.requests.average)} req/s, ${result.non2xx} non-2xx, ${result.timeouts} time-outs`,
      );
      return result;
    }

    await measure('GET /hostingproviders, quiet');

    // The attack runs in a worker thread, so that its own work does not hold up the server's event loop.
    async function underLoad(kind, label) {
      const hashesBefore = passwordHashesStarted();
      const attack = new Worker(new URL(import.meta.url), {
        workerData: { base, inFlight: IN_FLIGHT, kind },
      });
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const result = await measure(label);
      attack.postMessage('stop');
      const [statuses] = await once(attack, 'message');
      line(
        '  answered',
        Object.entries(statuses)
          .sort()
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ') + `; argon2 computations: ${passwordHashesStarted() - hashesBefore}`,
      );
      return result;
    }
    const attacked = await underLoad('bogus', `GET /hostingproviders, ${IN_FLIGHT} bogus in flight`);
    // The control: as many plain page requests in flight. When the two figures are alike, a bogus
    // password form costs no more than any other request: the amplification is gone, and what is
    // left is one process sharing its time fairly among 200 callers (a proxy's connection limit).
    await underLoad('pages', `GET /hostingproviders, ${IN_FLIGHT} page requests in flight`);
    line(
      'target: p99 < 200 ms under attack',
      attacked.requests.total > 0 && attacked.timeouts === 0 && attacked.latency.p99 < 200
        ? `met (${attacked.latency.p99} ms)`
        : `MISSED (p99 ${attacked.latency.p99} ms, ${attacked.requests.total} answered, ${attacked.timeouts} time-outs)`,
    );
    server.close();
    server.closeAllConnections();
  } finally {
    await dataSource.destroy();
    await database.drop();
  }
}
