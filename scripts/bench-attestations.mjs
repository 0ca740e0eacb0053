// Issuing attestations: loads a few hundred providers into a fresh database and issues attestations
// one at a time (render + sign + store, as the register does for each request), then four at a time,
// and prints the rates with the time of rendering and of signing alone.
// Usage: npm run bench:attestations   (BENCH_DATABASE_URL to use a server; otherwise an embedded PostgreSQL)
import path from 'node:path';
import { createRequire } from 'node:module';
import { benchDatabase } from './bench-database.mjs';
import { attestationIssuer, issueOneAtATime, verantwoordProviders } from './bench-issuing.mjs';

const require = createRequire(import.meta.url);
const dist = path.resolve(import.meta.dirname, '..', 'dist', 'src');
const { createRegisterDataSource } = require(path.join(dist, 'entities.js'));
const { runMigrations } = require(path.join(dist, 'database', 'connect.js'));
const { createLogger } = require(path.join(dist, 'shared', 'logger.js'));

const ONE_AT_A_TIME = Number(process.env.BENCH_ATTESTATIONS ?? 100);
const line = (label, value) => console.log(`${label.padEnd(52)} ${value}`);
const database = await benchDatabase(dist, createLogger('silent'), 'vhp_bench_attestations');
const dataSource = createRegisterDataSource({ url: database.url, poolSize: 10 });
await dataSource.initialize();
try {
  await runMigrations(dataSource, createLogger('silent'));
  const verantwoord = await verantwoordProviders(dist, dataSource, ONE_AT_A_TIME + 110);
  const issue = attestationIssuer(dist, dataSource);
  const { rate, cpuMs } = await issueOneAtATime(
    issue,
    verantwoord.slice(0, 10),
    verantwoord.slice(10, 10 + ONE_AT_A_TIME),
  );
  line(
    'issuing attestations (render + sign + store), one at a time',
    `${rate.toFixed(1)} per second (${ONE_AT_A_TIME}) — target ≥ 20: ${rate >= 20 ? 'met' : 'MISSED'}`,
  );
  line('  CPU time of the register per attestation', `${cpuMs.toFixed(1)} ms`);

  const queue = verantwoord.slice(10 + ONE_AT_A_TIME, 10 + ONE_AT_A_TIME + 100);
  const started = performance.now();
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
