// Verifying the audit log at scale: fills a fresh database with a valid hash chain of events (direct
// inserts, the same hashes the register computes), then prints the full run's time and peak heap at
// each size, and the incremental run's time for a day's events after a verification.
// Usage: npm run build && node --expose-gc scripts/bench-audit.mjs
//   BENCH_DATABASE_URL  a server to make (and drop) a database on; otherwise an embedded PostgreSQL
//   BENCH_AUDIT_SIZES   log sizes to measure at, comma-separated (default 300000,3000000)
//   BENCH_AUDIT_DAY     events added in a day (default 10000)
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { clearInterval, setInterval } from 'node:timers';
import pg from 'pg';
import { benchDatabase } from './bench-database.mjs';

const require = createRequire(import.meta.url);
const dist = path.resolve(import.meta.dirname, '..', 'dist', 'src');
const { createRegisterDataSource } = require(path.join(dist, 'entities.js'));
const { runMigrations } = require(path.join(dist, 'database', 'connect.js'));
const { chainHash, GENESIS_HASH } = require(path.join(dist, 'audit', 'audit-chain.js'));
const { verifyAuditChain, verifyAuditChainIncrementally, recordAuditVerification } = require(
  path.join(dist, 'audit', 'audit.service.js'),
);
const { createLogger } = require(path.join(dist, 'shared', 'logger.js'));

const SIZES = (process.env.BENCH_AUDIT_SIZES ?? '300000,3000000').split(',').map(Number);
const DAY = Number(process.env.BENCH_AUDIT_DAY ?? 10_000);
const INSERT_BATCH = 5000;
const ACTIONS = [
  'provider.created',
  'status.application_submitted',
  'application.decided',
  'attestation.issued',
];
const line = (label, value) => console.log(`${label.padEnd(52)} ${value}`);
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const logger = createLogger('silent');
const database = await benchDatabase(dist, logger, 'vhp_bench_audit');
const dataSource = createRegisterDataSource({ url: database.url, poolSize: 4 });
const client = new pg.Client({ connectionString: database.url });
await dataSource.initialize();
await client.connect();

/** The chain so far: the next id and the newest hash. */
let nextId = 1;
let prevHash = GENESIS_HASH;
const start = Date.parse('2020-01-01T08:00:00Z');

/** Appends `count` events that keep the chain valid, in multi-row inserts of INSERT_BATCH. */
async function grow(count) {
  for (let done = 0; done < count;) {
    const n = Math.min(INSERT_BATCH, count - done);
    const columns = [[], [], [], [], [], [], [], [], []];
    for (let i = 0; i < n; i++) {
      const id = String(nextId++);
      const event = {
        id,
        occurredAt: new Date(start + Number(id) * 30_000),
        actor: Number(id) % 7 === 0 ? 'beoordelaar@register.example' : 'seed:bulk',
        action: ACTIONS[Number(id) % ACTIONS.length],
        subjectType: 'provider',
        subjectId: `00000000-0000-4000-8000-${id.padStart(12, '0')}`,
        data: { legalName: `Bench Hosting ${id} B.V.`, kvkNumber: String(10_000_000 + Number(id)) },
      };
      const hash = chainHash(prevHash, event);
      const row = [
        id,
        event.occurredAt,
        event.actor,
        event.action,
        event.subjectType,
        event.subjectId,
        JSON.stringify(event.data),
        prevHash,
        hash,
      ];
      row.forEach((value, c) => columns[c].push(value));
      prevHash = hash;
    }
    await client.query(
      `INSERT INTO audit_events (id, occurred_at, actor, action, subject_type, subject_id, data, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
                            $7::jsonb[], $8::text[], $9::text[])`,
      columns,
    );
    done += n;
  }
  await client.query(`SELECT setval('audit_events_id_seq', $1)`, [nextId - 1]);
  // What autovacuum does to an insert-only table in time: the visibility map an index-only count uses.
  await client.query('VACUUM ANALYZE audit_events');
}

/**
 * Runs `work`, answering its wall-clock time, the CPU time of this process (on a busy machine the
 * steadier figure; PostgreSQL's share is not in it) and the highest heap it used above the heap before it.
 */
async function measured(work) {
  globalThis.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 10);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await work();
  const milliseconds = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { result, milliseconds, cpu: (user + system) / 1000, heap: peak - base };
}

async function record(result, milliseconds) {
  await dataSource.transaction((m) =>
    recordAuditVerification(m, result, 'bench', new Date(), Math.round(milliseconds)),
  );
}

try {
  await runMigrations(dataSource, logger);
  console.log(
    `audit:verify at scale (${database.url.replace(/\/\/[^@]*@/, '//')}; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`,
  );
  let size = 0;
  for (const target of SIZES) {
    const startedGrowing = performance.now();
    await grow(target - size);
    size = target;
    line(
      `  made ${target.toLocaleString('en-GB')} events`,
      `${((performance.now() - startedGrowing) / 1000).toFixed(1)} s`,
    );

    const full = await measured(() => verifyAuditChain(dataSource));
    if (full.result.broken || full.result.checked !== size)
      throw new Error(`full run: ${JSON.stringify(full.result)}`);
    line(
      `full run, ${size.toLocaleString('en-GB')} events`,
      `${(full.milliseconds / 1000).toFixed(2)} s (${Math.round((full.milliseconds * 1000) / size)} µs/event; CPU ${(full.cpu / 1000).toFixed(1)} s), peak heap +${mb(full.heap)}`,
    );
    await record(full.result, full.milliseconds);

    await grow(DAY);
    size += DAY;
    const day = await measured(() => verifyAuditChainIncrementally(dataSource));
    if (day.result.broken || day.result.checked !== DAY + 1)
      throw new Error(`incremental run: ${JSON.stringify(day.result)}`);
    line(
      `  incremental, ${DAY.toLocaleString('en-GB')} new events`,
      `${(day.milliseconds / 1000).toFixed(2)} s (CPU ${(day.cpu / 1000).toFixed(2)} s) — target < 1 s: ${day.milliseconds < 1000 ? 'met' : 'MISSED'}`,
    );
    await record(day.result, day.milliseconds);
    const idle = await measured(() => verifyAuditChainIncrementally(dataSource));
    line(`  incremental, nothing new`, `${(idle.milliseconds / 1000).toFixed(2)} s`);
    await record(idle.result, idle.milliseconds);
  }
} finally {
  await client.end();
  await dataSource.destroy();
  await database.drop();
}
