// From the commit of a status change to the webhook's arrival at a receiver on this machine: records
// 1,000 watch events (recordWatchEvent, each in its own committed transaction, as a reviewer's
// decision does), with the register's webhook sender running as the server starts it (LISTEN/NOTIFY
// and a poll every WEBHOOK_POLL_SECONDS, default settings), and a receiver on loopback that checks
// each delivery's signature. Prints p50, p99 and the slowest; the target is p99 < 5 s.
// Usage: npm run bench:webhooks
//   BENCH_DATABASE_URL  a server to make (and drop) a database on; otherwise an embedded PostgreSQL
//   BENCH_WEBHOOK_EVENTS  how many status changes (default 1000)
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { clearTimeout, setTimeout } from 'node:timers';
import { Webhook } from 'standardwebhooks';
import { benchDatabase } from './bench-database.mjs';

const require = createRequire(import.meta.url);
const dist = path.resolve(import.meta.dirname, '..', 'dist', 'src');
const { createRegisterDataSource } = require(path.join(dist, 'entities.js'));
const { runMigrations } = require(path.join(dist, 'database', 'connect.js'));
const { createLogger } = require(path.join(dist, 'shared', 'logger.js'));
const { systemClock } = require(path.join(dist, 'shared', 'clock.js'));
const { loadConfig } = require(path.join(dist, 'config.js'));
const { secretBox } = require(path.join(dist, 'identity', 'secrets.js'));
const { createProvider, confirmIdentity } = require(path.join(dist, 'register', 'provider.service.js'));
const { recordWatchEvent } = require(path.join(dist, 'watch', 'watch-events.js'));
const { newSigningSecret } = require(path.join(dist, 'webhooks', 'webhook-subscriptions.service.js'));
const { senderSettings, startWebhookSender } = require(path.join(dist, 'webhooks', 'webhook-sender.js'));

const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 1000);
const line = (label, value) => console.log(`${label.padEnd(52)} ${value}`);

const logger = createLogger('silent');
const database = await benchDatabase(dist, logger, 'vhp_bench_webhooks');
const dataSource = createRegisterDataSource({ url: database.url, poolSize: 10 });
await dataSource.initialize();
await runMigrations(dataSource, logger);

// The register's settings as the server reads them (defaults), but for a receiver on loopback.
const config = loadConfig({
  NODE_ENV: 'development',
  DATA_DIR: database.folder,
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
});
const box = secretBox(randomBytes(32));
const secret = newSigningSecret();
const verifier = new Webhook(secret);

// The receiver: notes when each event's delivery arrived (by the event's sequence number).
const arrivals = new Map();
let bad = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = performance.now();
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      verifier.verify(body, req.headers);
      const sequence = JSON.parse(body).sequence;
      if (!arrivals.has(sequence)) arrivals.set(sequence, at);
    } catch {
      bad++;
    }
    res.writeHead(204).end();
    if (arrivals.size >= EVENTS) done?.();
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/hooks`;

// One confirmed provider, watched by one buyer organisation with one subscription.
const now = new Date();
const provider = await dataSource.transaction(async (m) => {
  const p = await createProvider(
    m,
    {
      kvkNumber: '99887766',
      legalName: 'Bench Hosting B.V.',
      tradeNames: [],
      streetAddress: 'Benchstraat 1',
      postcode: '1234 AB',
      city: 'Benchstad',
      website: 'https://bench.example',
      abuseEmail: 'abuse@bench.example',
    },
    'bench',
    now,
  );
  await confirmIdentity(m, p.id, 'bench', {}, now);
  return p;
});
const [{ id: organisationId }] = await dataSource.query(
  `INSERT INTO buyer_organisations (domain, name) VALUES ('bench.overheid.nl', 'Bench') RETURNING id`,
);
const [{ id: buyerId }] = await dataSource.query(
  `INSERT INTO users (email, name, role, buyer_organisation_id, email_verified_at, password_hash, watch_mail)
   VALUES ('inkoper@bench.overheid.nl', 'Bench', 'buyer', $1, now(), 'not-a-hash', 'none') RETURNING id`,
  [organisationId],
);
const [{ id: listId }] = await dataSource.query(
  `INSERT INTO watch_lists (buyer_organisation_id, owner_id, name) VALUES ($1, $2, 'Bench') RETURNING id`,
  [organisationId, buyerId],
);
await dataSource.query(`INSERT INTO watch_list_entries (watch_list_id, kvk_number) VALUES ($1, $2)`, [
  listId,
  provider.kvkNumber,
]);
await dataSource.query(
  `INSERT INTO webhook_subscriptions (buyer_organisation_id, url, secret) VALUES ($1, $2, $3)`,
  [organisationId, url, box.encrypt(secret)],
);

const sender = startWebhookSender(
  dataSource,
  senderSettings(config, box, logger, systemClock),
  config.webhookPollSeconds,
);
let done;
const allArrived = new Promise((resolve) => (done = resolve));
// Let the listener connect, as it has long done in a running server.
await new Promise((resolve) => setTimeout(resolve, 1000));

const commits = new Map();
const started = performance.now();
for (let i = 0; i < EVENTS; i++) {
  const id = await dataSource.transaction((m) =>
    recordWatchEvent(
      m,
      {
        kind: 'status_changed',
        providerId: provider.id,
        kvkNumber: provider.kvkNumber,
        occurredAt: new Date(),
        data: { vanStatus: 'verantwoord', naarStatus: i % 2 ? 'verantwoord' : 'geschorst' },
      },
      new Date(),
    ),
  );
  commits.set(String(id), performance.now());
}
const committed = performance.now();
const timeout = setTimeout(() => done(), 60_000);
await allArrived;
clearTimeout(timeout);

const latencies = [...commits]
  .flatMap(([id, at]) => (arrivals.has(id) ? [arrivals.get(id) - at] : []))
  .sort((a, b) => a - b);
const pick = (q) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)];
console.log(
  `\nWebhooks: commit of a status change → arrival at a receiver on loopback (${config.webhookPollSeconds} s poll, LISTEN/NOTIFY)`,
);
line('status changes committed', `${EVENTS} in ${((committed - started) / 1000).toFixed(2)} s`);
line('delivered (signature verified)', `${latencies.length}${bad ? `, ${bad} failed verification` : ''}`);
line('p50', `${pick(0.5).toFixed(1)} ms`);
line('p99', `${pick(0.99).toFixed(1)} ms — target < 5000 ms: ${pick(0.99) < 5000 ? 'met' : 'MISSED'}`);
line('slowest', `${latencies.at(-1).toFixed(1)} ms`);

await sender.stop();
server.close();
await dataSource.destroy();
await database.drop();
if (latencies.length < EVENTS || bad > 0) process.exit(1);
