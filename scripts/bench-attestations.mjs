// Issuing attestations: loads a few hundred providers into a fresh database and issues attestations
// one at a time (render + sign + store, as the register does for each request), then four at a time,
// and prints the rates with the time of rendering and of signing alone.
// Usage: npm run bench:attestations   (BENCH_DATABASE_URL to use a server; otherwise an embedded PostgreSQL)
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { benchDatabase } from './bench-database.mjs';

const require = createRequire(import.meta.url);
const dist = path.resolve(import.meta.dirname, '..', 'dist', 'src');
const { createRegisterDataSource } = require(path.join(dist, 'entities.js'));
const { runMigrations } = require(path.join(dist, 'database', 'connect.js'));
const { seedBulk } = require(path.join(dist, 'seed', 'bulk.js'));
const { issueAttestation } = require(path.join(dist, 'attestation', 'attestation.service.js'));
const { signingKeyring } = require(path.join(dist, 'attestation', 'signing.js'));
const { createLogger } = require(path.join(dist, 'shared', 'logger.js'));

const ONE_AT_A_TIME = Number(process.env.BENCH_ATTESTATIONS ?? 100);
const line = (label, value) => console.log(`${label.padEnd(52)} ${value}`);
const database = await benchDatabase(dist, createLogger('silent'), 'vhp_bench_attestations');
const dataSource = createRegisterDataSource({ url: database.url, poolSize: 10 });
await dataSource.initialize();
try {
  await runMigrations(dataSource, createLogger('silent'));
  await seedBulk(dataSource, (ONE_AT_A_TIME + 110) * 4, new Date());
  const verantwoord = (
    await dataSource.query(`SELECT provider_id FROM provider_status WHERE status = 'verantwoord' LIMIT $1`, [
      ONE_AT_A_TIME + 110,
    ])
  ).map((r) => r.provider_id);
  if (verantwoord.length < ONE_AT_A_TIME + 110)
    throw new Error(`only ${verantwoord.length} verantwoord providers seeded`);

  const keyring = signingKeyring(
    { dataDir: path.join(os.tmpdir(), 'vhp-bench-signing') },
    { now: () => new Date() },
  );
  const issue = (providerId) =>
    issueAttestation(
      dataSource,
      {
        providerId,
        actor: 'bench',
        publicBaseUrl: 'https://register.example',
        keyring,
        issuer: {
          organisation: 'Register Verantwoorde Hostingproviders',
          contact: 'register@register.example',
        },
      },
      new Date(),
    );
  // Warm up: the key, the fonts, the JIT.
  for (const id of verantwoord.slice(0, 10)) await issue(id);

  let started = performance.now();
  const cpu = process.cpuUsage();
  for (const id of verantwoord.slice(10, 10 + ONE_AT_A_TIME)) await issue(id);
  const rate = ONE_AT_A_TIME / ((performance.now() - started) / 1000);
  const { user, system } = process.cpuUsage(cpu);
  line(
    'issuing attestations (render + sign + store), one at a time',
    `${rate.toFixed(1)} per second (${ONE_AT_A_TIME}) — target ≥ 20: ${rate >= 20 ? 'met' : 'MISSED'}`,
  );
  // On a shared machine the wall-clock rate follows the load; the CPU time of the register's
  // process per attestation does not (PostgreSQL's share is not in it).
  line(
    '  CPU time of the register per attestation',
    `${((user + system) / 1000 / ONE_AT_A_TIME).toFixed(1)} ms`,
  );

  const queue = verantwoord.slice(10 + ONE_AT_A_TIME, 10 + ONE_AT_A_TIME + 100);
  started = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (queue.length > 0) await issue(queue.shift());
    }),
  );
  line(
    'issuing attestations, 4 at a time',
    `${(100 / ((performance.now() - started) / 1000)).toFixed(1)} per second (100)`,
  );
} finally {
  await dataSource.destroy();
  await database.drop();
}
