// The monitor benchmark (issue 16, "the monitor verifies 100,000 new leaves in under 10 s"): serves a
// transparency log over local HTTP in the tlog-tiles layout, built with monitor/lib, lets the monitor see it
// at BENCH_BASE leaves, grows it by BENCH_NEW leaves and times the monitor's second run: checkpoint,
// signature, consistency proof, every new entry bundle and level-0 tile fetched (8 at a time) and hashed,
// the root rebuilt. Entries are audit-event-like JSON of about 300 bytes.
// Usage: npm run bench:monitor   (BENCH_BASE 1000, BENCH_NEW 100000, BENCH_RUNS 3)
import { Buffer } from 'node:buffer';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dist = path.join(import.meta.dirname, '..', 'dist', 'monitor');
const { CompactRange, leafHash } = require(path.join(dist, 'lib', 'merkle.js'));
const { formatCheckpoint } = require(path.join(dist, 'lib', 'checkpoint.js'));
const { rawPublicKey, signNote, verifierKey } = require(path.join(dist, 'lib', 'note.js'));
const { encodeEntryBundle, parseTilePath } = require(path.join(dist, 'lib', 'tiles.js'));
const { runMonitor } = require(path.join(dist, 'monitor.js'));

const BASE = Number(process.env.BENCH_BASE ?? 1000);
const NEW = Number(process.env.BENCH_NEW ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ORIGIN = 'bench.example/transparantie';
const { privateKey } = generateKeyPairSync('ed25519');
const vkey = verifierKey(ORIGIN, rawPublicKey(privateKey));

const entries = [];
const nodes = new Map(); // level -> hashes
const range = new CompactRange();
let checkpoint = '';
function grow(count) {
  for (let n = 0; n < count; n++) {
    const i = entries.length;
    // Shaped as the register's leaves: the header, no public data, the salted digest of the data.
    const entry = Buffer.from(
      JSON.stringify({
        action: 'application.reviewed',
        actor: `reviewer:00000000-0000-4000-8000-${String(i % 97).padStart(12, '0')}`,
        data: {},
        dataDigest: createHash('sha256').update(`bench ${i}`).digest('hex'),
        id: String(i + 1),
        occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
        subjectId: `p-${i % 5000}`,
        subjectType: 'provider',
      }),
    );
    entries.push(entry);
    for (const node of range.append(leafHash(entry))) {
      if (!nodes.has(node.level)) nodes.set(node.level, []);
      nodes.get(node.level)[node.index] = node.hash;
    }
  }
  const text = formatCheckpoint({ origin: ORIGIN, size: range.size, root: range.root(), extensions: [] });
  checkpoint = signNote(text, ORIGIN, privateKey);
}

const server = createServer((req, res) => {
  const route = req.url.replace(/^\/transparantie\//, '');
  let body;
  if (route === 'checkpoint') body = checkpoint;
  const tile = parseTilePath(route);
  if (tile?.kind === 'hashes') {
    const row = nodes.get(tile.level * 8) ?? [];
    const hashes = row.slice(tile.index * 256, tile.index * 256 + tile.width);
    if (hashes.length === tile.width) body = Buffer.concat(hashes);
  } else if (tile?.kind === 'entries') {
    const some = entries.slice(tile.index * 256, tile.index * 256 + tile.width);
    if (some.length === tile.width) body = encodeEntryBundle(some);
  }
  if (body === undefined) res.writeHead(404).end();
  else res.writeHead(200).end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;
const silent = { out: () => {}, err: (line) => process.stderr.write(`${line}\n`) };

const times = [];
for (let run = 0; run < RUNS; run++) {
  entries.length = 0;
  nodes.clear();
  range.size = 0;
  range.hashes = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-monitor-'));
  const state = path.join(dir, 'state.json');
  grow(BASE);
  if ((await runMonitor([url, '--key', vkey, '--state', state], silent)) !== 0)
    throw new Error('first run failed');
  grow(NEW);
  const lines = [];
  const started = performance.now();
  const code = await runMonitor([url, '--state', state], {
    out: (line) => lines.push(line),
    err: silent.err,
  });
  const ms = performance.now() - started;
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`monitor failed: ${lines.join('\n')}`);
  times.push(ms);
  console.log(`run ${run + 1}: ${lines[0]} in ${(ms / 1000).toFixed(2)} s`);
}
times.sort((a, b) => a - b);
console.log(
  `monitor, ${NEW} new leaves on top of ${BASE}: median ${(times[Math.floor(times.length / 2)] / 1000).toFixed(2)} s (target < 10 s)`,
);
server.close();
