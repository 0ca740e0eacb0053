// The transparency log's figures (issue 16, "Measured"), each with its target:
//   (i)   issuing attestations one at a time (render + sign + store + audit event + its leaf): ≥ 20 per second;
//   (ii)  what the Merkle tree adds to appending one audit event (a reviewer decision's append): < 5 ms median;
//   (iii) an inclusion proof read from the database at 1,000,000 leaves: < 10 ms (and a consistency proof);
//   (iv)  the monitor verifying 100,000 new leaves served by the real app's routes: < 10 s.
// Usage: npm run bench:transparency
//   BENCH_DATABASE_URL  a server to make (and drop) the databases on; otherwise an embedded PostgreSQL
//   BENCH_ATTESTATIONS  attestations issued one at a time (default 100)
//   BENCH_APPENDS       appends timed per way of appending (default 300)
//   BENCH_LEAVES        leaves of the synthetic tree for the proofs (default 1000000)
//   BENCH_NEW           new leaves for the monitor (default 100000)
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import { benchDatabase } from './bench-database.mjs';
import { attestationIssuer, issueOneAtATime, verantwoordProviders } from './bench-issuing.mjs';

const require = createRequire(import.meta.url);
const dist = path.resolve(import.meta.dirname, '..', 'dist', 'src');
const lib = path.resolve(import.meta.dirname, '..', 'dist', 'monitor');
const { createRegisterDataSource } = require(path.join(dist, 'entities.js'));
const { runMigrations } = require(path.join(dist, 'database', 'connect.js'));
const { createLogger } = require(path.join(dist, 'shared', 'logger.js'));
const { createLifecycle } = require(path.join(dist, 'shared', 'lifecycle.js'));
const { systemClock } = require(path.join(dist, 'shared', 'clock.js'));
const { createApp } = require(path.join(dist, 'app.js'));
const { loadConfig } = require(path.join(dist, 'config.js'));
const { appendAuditEvent, appendAuditEvents } = require(path.join(dist, 'audit', 'audit.service.js'));
const { AuditEvent } = require(path.join(dist, 'audit', 'audit-event.entity.js'));
const { chainHash, GENESIS_HASH } = require(path.join(dist, 'audit', 'audit-chain.js'));
const { leafEntry } = require(path.join(dist, 'audit', 'leaf-entry.js'));
const { newSalt } = require(path.join(dist, 'audit', 'personal-data.js'));
const { lockAuditChain, lastAuditHash, reserveAuditEventIds } = require(
  path.join(dist, 'audit', 'audit.queries.js'),
);
const { insertMerkleLeaves, insertMerkleNodes, readMerkleNodes, storedTreeSize } = require(
  path.join(dist, 'audit', 'merkle.queries.js'),
);
const { logSigner, signCheckpointIfDue } = require(path.join(dist, 'transparency', 'checkpoint.service.js'));
const { loadLogKey } = require(path.join(dist, 'transparency', 'log-key.js'));
const { consistencyProofBetween, inclusionProofAt } = require(path.join(dist, 'transparency', 'proofs.js'));
const { CompactRange, leafHash, verifyConsistency, verifyInclusion } = require(
  path.join(lib, 'lib', 'merkle.js'),
);
const { runMonitor } = require(path.join(lib, 'monitor.js'));

const ATTESTATIONS = Number(process.env.BENCH_ATTESTATIONS ?? 100);
const APPENDS = Number(process.env.BENCH_APPENDS ?? 300);
const LEAVES = Number(process.env.BENCH_LEAVES ?? 1_000_000);
const NEW = Number(process.env.BENCH_NEW ?? 100_000);
const PROOFS = 1000;
const CONSISTENCY_PROOFS = 200;

const line = (label, value) => console.log(`${label.padEnd(60)} ${value}`);
const note = (text) => console.log(`  ${text}`);
const ms = (x) => `${x.toFixed(2)} ms`;
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const verdict = (met) => (met ? 'met' : 'MISSED');
const logger = createLogger('silent');

console.log(
  `Transparency log benchmark on ${os.cpus().length} CPUs, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the start (other work on the machine skews wall-clock figures).`,
);

const database = await benchDatabase(dist, logger, 'vhp_bench_transparency');
const dataSource = createRegisterDataSource({ url: database.url, poolSize: 10 });
await dataSource.initialize();
let server;
try {
  await runMigrations(dataSource, logger);
  const verantwoord = await verantwoordProviders(dist, dataSource, ATTESTATIONS + 10);

  // (i) Attestations one at a time: issueAttestation renders, signs, stores and appends its audit
  // event, whose leaf and completed nodes go into the tree in the same transaction.
  const { rate, cpuMs } = await issueOneAtATime(
    attestationIssuer(dist, dataSource),
    verantwoord.slice(0, 10),
    verantwoord.slice(10, 10 + ATTESTATIONS),
  );
  console.log('\n(i) issuing attestations');
  line(
    'attestations one at a time (render + sign + store + event + leaf)',
    `${rate.toFixed(1)} per second (${ATTESTATIONS}) — target ≥ 20: ${verdict(rate >= 20)}`,
  );
  // The wall-clock rate follows the machine's load; the register's CPU time per attestation less so.
  line('  CPU time of the register per attestation', ms(cpuMs));

  // (iv) The monitor against the real app: a checkpoint over what is there, the monitor's first run;
  // then NEW events appended by the register's own code (appendAuditEvents, tree included), a new
  // checkpoint, and the monitor's second run timed.
  const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), apiRequestsPerMinute: 1e9 };
  const logKey = loadLogKey({
    logSigningKeyFile: undefined,
    logOrigin: config.logOrigin,
    dataDir: database.folder,
  });
  // The signer as a server has it: the key and its memory of what it last signed (a file of its own).
  const signer = logSigner(logKey, path.join(database.folder, 'log-signer-state.json'), () => undefined);
  const app = createApp({
    config,
    dataSource,
    logger,
    lifecycle: createLifecycle(),
    clock: systemClock,
    signer,
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const state = path.join(database.folder, 'monitor.json');
  const monitor = async () => {
    const lines = [];
    const output = { out: (l) => lines.push(l), err: (l) => lines.push(l) };
    const code = await runMonitor([url, '--key', logKey.verifierKey, '--state', state], output);
    if (code !== 0) throw new Error(`the monitor failed: ${lines.join('\n')}`);
    return lines.join(' ');
  };
  const asked = { intervalSeconds: 30, asked: true };
  if ((await signCheckpointIfDue(dataSource, signer, new Date(), asked)).outcome !== 'signed')
    throw new Error('no first checkpoint');
  const base = await monitor();
  const growStarted = performance.now();
  for (let done = 0; done < NEW; done += 2000) {
    const n = Math.min(2000, NEW - done);
    await dataSource.transaction((m) =>
      appendAuditEvents(
        m,
        new Date(),
        Array.from({ length: n }, (_, i) => ({
          actor: `user:${(done + i) % 97}`,
          action: 'application.decided',
          subjectType: 'application',
          subjectId: String(done + i),
          data: { decision: 'approved', note: 'x'.repeat(120), applicationId: `a-${done + i}` },
        })),
      ),
    );
  }
  const growSeconds = (performance.now() - growStarted) / 1000;
  if (
    (await signCheckpointIfDue(dataSource, signer, new Date(Date.now() + 1000), asked)).outcome !== 'signed'
  )
    throw new Error('no second checkpoint');
  const monitorStarted = performance.now();
  const verdictLine = await monitor();
  const monitorSeconds = (performance.now() - monitorStarted) / 1000;

  // (ii) What the tree adds to one append, measured three ways, interleaved, each its own committed
  // transaction as a decision's is: (a) appendAuditEvent as the register runs it (chain + tree);
  // (b) the same append with the chain only (the register's code before issue 16: lock, head, id,
  // insert); (c) the chain-only append followed by the very steps appendAuditEvent takes for the
  // tree (salt, leaf entry, tree size, right edge read, leaf and completed nodes inserted), those steps timed inside
  // the transaction.
  const entry = (i) => ({
    actor: 'user:42',
    action: 'application.decided',
    subjectType: 'application',
    subjectId: `bench-${i}`,
    data: { decision: 'approved', note: 'x'.repeat(120), applicationId: `b-${i}` },
  });
  const appendChainOnly = async (manager, now, e) => {
    await lockAuditChain(manager);
    const prevHash = (await lastAuditHash(manager)) ?? GENESIS_HASH;
    const [id] = await reserveAuditEventIds(manager, 1);
    const event = manager.create(AuditEvent, {
      id,
      occurredAt: now,
      actor: e.actor,
      action: e.action,
      subjectType: e.subjectType,
      subjectId: e.subjectId,
      data: JSON.parse(JSON.stringify(e.data)),
      prevHash,
    });
    event.hash = chainHash(prevHash, event);
    await manager.insert(AuditEvent, [event]);
    return event;
  };
  const withTree = [];
  const chainOnly = [];
  const treePart = [];
  for (let i = 0; i < APPENDS + 20; i++) {
    const warm = i < 20;
    let started = performance.now();
    await dataSource.transaction((m) => appendAuditEvent(m, new Date(), entry(i)));
    if (!warm) withTree.push(performance.now() - started);
    started = performance.now();
    await dataSource.transaction((m) => appendChainOnly(m, new Date(), entry(i)));
    if (!warm) chainOnly.push(performance.now() - started);
    await dataSource.transaction(async (m) => {
      const event = await appendChainOnly(m, new Date(), entry(i));
      const treeStarted = performance.now();
      const size = await storedTreeSize(m);
      const range = new CompactRange(size, await readMerkleNodes(m, CompactRange.refs(size)));
      const salt = newSalt();
      const nodes = range.append(leafHash(leafEntry(event, salt)));
      await insertMerkleLeaves(m, size, [{ eventId: event.id, salt }]);
      await insertMerkleNodes(m, nodes);
      if (!warm) treePart.push(performance.now() - treeStarted);
    });
  }
  const treeSize = await storedTreeSize(dataSource.manager);
  console.log(
    `\n(ii) what the tree adds to appending one audit event (a reviewer decision's append), tree of ~${treeSize.toLocaleString('en-GB')} leaves, ${APPENDS} each`,
  );
  line(
    '(a) appendAuditEvent, chain + tree, committed',
    `median ${ms(quantile(withTree, 0.5))}, p95 ${ms(quantile(withTree, 0.95))}`,
  );
  line(
    '(b) the same append, chain only, committed',
    `median ${ms(quantile(chainOnly, 0.5))}, p95 ${ms(quantile(chainOnly, 0.95))}`,
  );
  const added = quantile(withTree, 0.5) - quantile(chainOnly, 0.5);
  line('    difference of the medians (a) - (b)', ms(added));
  line(
    '(c) the tree steps alone, timed inside the transaction',
    `median ${ms(quantile(treePart, 0.5))}, p95 ${ms(quantile(treePart, 0.95))} — target < 5 ms median: ${verdict(quantile(treePart, 0.5) < 5)}`,
  );
  note(
    "(b) and (c) reproduce the register's chain-only append from its own queries; their events have no leaf",
  );
  note('(the database is thrown away). A reviewer decision also changes the application and the status;');
  note('that work is the same with or without the tree and is not in these figures.');

  console.log('\n(iv) the monitor against the real app');
  line(
    `the register's own append of ${NEW.toLocaleString('en-GB')} events (tree incl.)`,
    `${growSeconds.toFixed(1)} s (setting up, not a target)`,
  );
  line(
    `monitor: ${NEW.toLocaleString('en-GB')} new leaves from the app's routes`,
    `${monitorSeconds.toFixed(2)} s — target < 10 s: ${verdict(monitorSeconds < 10)}`,
  );
  note(`first run: ${base}`);
  note(`timed run: ${verdictLine}`);
  note('served by createApp (the real /transparantie routes: checkpoint, tiles and entry bundles read from');
  note('PostgreSQL, Express, compression) on 127.0.0.1, not by the static server of bench:monitor.');
} finally {
  if (server) await new Promise((resolve) => server.close(resolve));
  await dataSource.destroy();
  await database.drop();
}

// (iii) Proofs at LEAVES leaves: a second database made by the migrations, whose merkle_nodes gets
// a synthetic tree: random leaf hashes, every perfect subtree computed in Node with CompactRange
// and inserted with multi-row INSERTs (unnest). merkle_leaves and audit_events stay empty: a proof
// reads merkle_nodes only.
const big = await benchDatabase(dist, logger, 'vhp_bench_transparency_1m');
const bigSource = createRegisterDataSource({ url: big.url, poolSize: 4 });
await bigSource.initialize();
const client = new pg.Client({ connectionString: big.url });
await client.connect();
try {
  await runMigrations(bigSource, logger);
  const buildStarted = performance.now();
  const leaves = randomBytes(LEAVES * 32);
  const leafAt = (i) => leaves.subarray(i * 32, (i + 1) * 32);
  const checkSizes = new Set(
    Array.from({ length: CONSISTENCY_PROOFS }, () => 1 + Math.floor(Math.random() * (LEAVES - 1))),
  );
  const rootAtSize = new Map();
  const range = new CompactRange();
  let levels = [];
  let indexes = [];
  let hashes = [];
  const flush = async () => {
    if (levels.length === 0) return;
    await client.query(
      'INSERT INTO merkle_nodes (level, index, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])',
      [levels, indexes, hashes],
    );
    levels = [];
    indexes = [];
    hashes = [];
  };
  for (let i = 0; i < LEAVES; i++) {
    for (const node of range.append(leafAt(i))) {
      levels.push(node.level);
      indexes.push(node.index);
      hashes.push(node.hash);
    }
    if (checkSizes.has(range.size)) rootAtSize.set(range.size, range.root());
    if (levels.length >= 50_000) await flush();
  }
  await flush();
  const root = range.root();
  await client.query('ANALYZE merkle_nodes');
  const buildSeconds = (performance.now() - buildStarted) / 1000;

  const manager = bigSource.manager;
  for (let i = 0; i < 50; i++) await inclusionProofAt(manager, Math.floor(Math.random() * LEAVES), LEAVES);
  const inclusion = [];
  for (let i = 0; i < PROOFS; i++) {
    const index = Math.floor(Math.random() * LEAVES);
    const started = performance.now();
    const proof = await inclusionProofAt(manager, index, LEAVES);
    inclusion.push(performance.now() - started);
    verifyInclusion(index, LEAVES, leafAt(index), proof, root);
  }
  const consistency = [];
  for (const size1 of checkSizes) {
    const started = performance.now();
    const proof = await consistencyProofBetween(manager, size1, LEAVES);
    consistency.push(performance.now() - started);
    verifyConsistency(size1, LEAVES, rootAtSize.get(size1), root, proof);
  }
  console.log(`\n(iii) proofs from the database at ${LEAVES.toLocaleString('en-GB')} leaves`);
  line('building the synthetic tree (hash + INSERT, setting up)', `${buildSeconds.toFixed(1)} s`);
  line(
    `inclusion proof (inclusionProofAt), ${PROOFS} random leaves`,
    `median ${ms(quantile(inclusion, 0.5))}, p99 ${ms(quantile(inclusion, 0.99))} — target < 10 ms (p99): ${verdict(quantile(inclusion, 0.99) < 10)}`,
  );
  line(
    `consistency proof to ${LEAVES.toLocaleString('en-GB')}, ${checkSizes.size} random sizes`,
    `median ${ms(quantile(consistency, 0.5))}, p99 ${ms(quantile(consistency, 0.99))}`,
  );
  note('synthetic tree: random leaf hashes, merkle_nodes only (what a proof reads); every proof was');
  note('verified against the root computed in Node. Timed: the query (one per proof) and the assembly.');
} finally {
  await client.end();
  await bigSource.destroy();
  await big.drop();
}
console.log(
  `\nload average at the end: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
