import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { formatCheckpoint } from '../../monitor/lib/checkpoint';
import { inclusionProof, leafHash } from '../../monitor/lib/merkle';
import { signNote } from '../../monitor/lib/note';
import { formatTlogProof } from '../../monitor/lib/proof';
import { encodeEntryBundle, parseTilePath, TILE_WIDTH } from '../../monitor/lib/tiles';
import { runMonitor } from '../../monitor/monitor';
import { StaticLog } from '../helpers/static-log';

const ORIGIN = 'register.example/transparantie';

/** What the test server serves: a log, and whatever an insider put in place of its parts. */
interface Served {
  log: StaticLog;
  checkpoint?: string;
  /** Path under /transparantie/ → bytes served instead (null: 404). */
  replaced: Map<string, Buffer | null>;
}

function entry(i: number): string {
  return JSON.stringify({ id: String(i + 1), action: 'provider.created', data: { i } });
}

function logOf(count: number, privateKey = generateKeyPairSync('ed25519').privateKey): StaticLog {
  const log = new StaticLog(ORIGIN, privateKey);
  for (let i = 0; i < count; i++) log.append(entry(i));
  return log;
}

/** A tlog-tiles server over `served`, on a free port of 127.0.0.1. */
async function startServer(served: Served): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const route = (req.url ?? '').replace(/^\/transparantie\//, '');
    const replaced = served.replaced.get(route);
    let body: Buffer | string | undefined;
    if (replaced !== undefined) body = replaced ?? undefined;
    else if (route === 'checkpoint') body = served.checkpoint ?? served.log.checkpoint();
    else if (route === 'sleutel') body = `${served.log.vkey}\n`;
    else {
      const tile = parseTilePath(route);
      if (tile?.kind === 'hashes') body = served.log.tile(tile.level, tile.index, tile.width);
      if (tile?.kind === 'entries') body = served.log.bundle(tile.index, tile.width);
    }
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMonitor(args, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

describe('monitor CLI (npm run monitor -- <URL>)', () => {
  let dir: string;
  let served: Served;
  let server: Server;
  let url: string;
  let state: string;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'monitor-'));
    state = path.join(dir, 'state.json');
    served = { log: logOf(300), replaced: new Map() };
    ({ server, url } = await startServer(served));
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const watch = (...extra: string[]): Promise<{ code: number; out: string[]; err: string[] }> =>
    run([url, '--state', state, ...extra]);

  /** Runs once honestly with the log's key, so the state holds size 300. */
  async function seen(): Promise<string> {
    const first = await watch('--key', served.log.vkey);
    assert.equal(first.code, 0, first.out.join('\n'));
    return readFileSync(state, 'utf8');
  }

  /** Runs and expects exactly this FAIL line, exit 1, and the state file as it was. */
  async function expectFail(reason: string | RegExp, before: string): Promise<void> {
    const result = await watch();
    assert.equal(result.out.length, 1, result.out.join('\n'));
    const line = result.out[0] as string;
    if (typeof reason === 'string') assert.equal(line, `FAIL ${ORIGIN}: ${reason}`);
    else assert.match(line, reason);
    assert.equal(result.code, 1);
    assert.equal(readFileSync(state, 'utf8'), before, 'the state file is not updated on FAIL');
  }

  it('says OK on an honest log, twice as it grows and once when it did not, and keeps the state', async () => {
    const first = await watch('--key', served.log.vkey);
    assert.deepEqual(first, {
      code: 0,
      out: [
        `OK ${ORIGIN} size 300 (+300 leaves) root ${served.log.root().toString('base64')} (no signed time)`,
      ],
      err: [],
    });
    for (let i = 300; i < 811; i++) served.log.append(entry(i));
    const second = await watch(); // the key is pinned in the state file now
    assert.equal(
      second.out[0],
      `OK ${ORIGIN} size 811 (+511 leaves, 300 checked again) root ${served.log.root().toString('base64')} (no signed time)`,
    );
    assert.equal(second.code, 0);
    const third = await watch();
    assert.equal(
      third.out[0],
      `OK ${ORIGIN} size 811 (+0 leaves, 811 checked again) root ${served.log.root().toString('base64')} (no signed time)`,
    );
    const saved = JSON.parse(readFileSync(state, 'utf8')) as {
      size: number;
      vkey: string;
      checkpoint: string;
    };
    assert.equal(saved.size, 811);
    assert.equal(saved.vkey, served.log.vkey);
    assert.equal(saved.checkpoint, served.log.checkpoint());
  });

  it('fails when the log shrank', async () => {
    const before = await seen();
    served.log = logOf(297, served.log.privateKey);
    await expectFail('log shrank: the checkpoint has size 297, smaller than size 300 seen before', before);
  });

  it('fails on a fork: the same size with another root', async () => {
    const before = await seen();
    const oldRoot = served.log.root().toString('base64');
    const forked = new StaticLog(ORIGIN, served.log.privateKey);
    for (let i = 0; i < 300; i++) forked.append(i === 150 ? entry(9999) : entry(i));
    served.log = forked;
    await expectFail(
      `fork: size 300 now has root ${forked.root().toString('base64')}, before it had root ${oldRoot}`,
      before,
    );
  });

  it('fails when history was rewritten and the tree recomputed: the consistency proof fails', async () => {
    const before = await seen();
    const rewritten = new StaticLog(ORIGIN, served.log.privateKey);
    for (let i = 0; i < 310; i++) rewritten.append(i === 42 ? entry(4242) : entry(i));
    served.log = rewritten;
    await expectFail(
      'consistency proof from size 300 to 310 fails: the consistency proof does not lead to the old root (size 300)',
      before,
    );
  });

  it('fails when a tile on the consistency path was bent', async () => {
    const before = await seen();
    for (let i = 300; i < 600; i++) served.log.append(entry(i));
    const tile = served.log.tile(0, 1, 88) as Buffer; // leaves 256..343: the old tree's right edge lives here
    tile[40 * 32] = (tile[40 * 32] as number) ^ 1; // leaf 296
    served.replaced.set('tile/0/001.p/88', tile);
    const full = served.log.tile(0, 1, 256) as Buffer;
    full[40 * 32] = (full[40 * 32] as number) ^ 1;
    served.replaced.set('tile/0/001', full);
    await expectFail(
      /^FAIL register\.example\/transparantie: consistency proof from size 300 to 600 fails: /,
      before,
    );
  });

  it('fails when a new entry was rewritten: the leaf does not hash to what the tree holds', async () => {
    const before = await seen();
    for (let i = 300; i < 520; i++) served.log.append(entry(i));
    const entries = served.log.entries.slice(TILE_WIDTH, 2 * TILE_WIDTH);
    entries[400 - TILE_WIDTH] = Buffer.from(entry(4000));
    const bundle = Buffer.concat(
      entries.map((e) => Buffer.concat([Buffer.from([e.length >> 8, e.length & 0xff]), e])),
    );
    served.replaced.set('tile/entries/001', bundle);
    await expectFail('leaf 400: content does not hash to what the tree holds', before);
  });

  it('fails when an entry it verified before, in the partial bundle it fetches again, was rewritten', async () => {
    const before = await seen();
    for (let i = 300; i < 305; i++) served.log.append(entry(i));
    const entries = served.log.entries.slice(TILE_WIDTH, 305);
    entries[260 - TILE_WIDTH] = Buffer.from(entry(2600)); // leaf 260: below the size 300 seen before
    served.replaced.set('tile/entries/001.p/49', encodeEntryBundle(entries));
    await expectFail('leaf 260: content does not hash to what the tree holds', before);
  });

  it('fails when an entry it verified before, in a full bundle, was rewritten; --new-only does not look there', async () => {
    const before = await seen();
    for (let i = 300; i < 310; i++) served.log.append(entry(i));
    const entries = served.log.entries.slice(0, TILE_WIDTH);
    entries[42] = Buffer.from(entry(4200)); // leaf 42: in the full bundle 000, verified on the first run
    served.replaced.set('tile/entries/000', encodeEntryBundle(entries));
    await expectFail('leaf 42: content does not hash to what the tree holds', before);
    const quick = await watch('--new-only');
    assert.deepEqual(
      [quick.code, quick.out],
      [
        0,
        [
          `OK ${ORIGIN} size 310 (+10 leaves, 44 checked again) root ${served.log.root().toString('base64')} (no signed time)`,
        ],
      ],
    );
  });

  it('fails when the checkpoint is signed by another key under the log name', async () => {
    const before = await seen();
    const other = generateKeyPairSync('ed25519').privateKey;
    served.log.append(entry(300));
    served.checkpoint = served.log.checkpoint(undefined, undefined, other);
    const key = served.log.vkey.split('+').slice(0, 2).join('+');
    await expectFail(
      `the checkpoint signature does not verify with key ${key}: the note has no signature by a known key`,
      before,
    );
  });

  it('fails when the signed checkpoint text was altered', async () => {
    const before = await seen();
    served.checkpoint = served.log.checkpoint().replace('\n300\n', '\n301\n');
    const key = served.log.vkey.split('+').slice(0, 2).join('+');
    await expectFail(
      `the checkpoint signature does not verify with key ${key}: the signature by ${ORIGIN} does not verify`,
      before,
    );
  });

  it('fails when the log does not serve a tile its checkpoint requires', async () => {
    const before = await seen();
    for (let i = 300; i < 400; i++) served.log.append(entry(i));
    served.replaced.set('tile/entries/001.p/144', null);
    await expectFail(
      'the log does not serve tile/entries/001.p/144, which its checkpoint of size 400 requires',
      before,
    );
  });

  it('fails when the tiles do not rebuild the root of a checkpoint of the same size', async () => {
    const before = await seen();
    served.replaced.set('tile/0/001.p/44', Buffer.alloc(44 * 32, 1));
    await expectFail("the log's tiles do not rebuild the root of its checkpoint of size 300", before);
  });

  describe('the time the log signed (its timestamped signature)', () => {
    const HOUR = 3600;
    const nowSeconds = () => Math.floor(Date.now() / 1000);
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
    const signedAgo = (seconds: number) => {
      const at = nowSeconds() - seconds;
      served.checkpoint = served.log.checkpoint(undefined, undefined, undefined, at);
      return at;
    };

    it('says OK with the signing time of a fresh checkpoint', async () => {
      const at = signedAgo(2 * HOUR);
      const result = await watch('--key', served.log.vkey);
      assert.deepEqual(result, {
        code: 0,
        out: [
          `OK ${ORIGIN} size 300 (+300 leaves) root ${served.log.root().toString('base64')} signed at ${iso(at)}`,
        ],
        err: [],
      });
    });

    it('fails a checkpoint signed more than 25 hours ago: the register has stopped signing', async () => {
      const before = await seen();
      const at = signedAgo(25 * HOUR + 60);
      await expectFail(
        `stale: the latest checkpoint was signed at ${iso(at)}, more than 25 h ago: the register has stopped signing`,
        before,
      );
    });

    it('takes another limit with --max-age-hours', async () => {
      const before = await seen();
      const at = signedAgo(3 * HOUR);
      const strict = await watch('--max-age-hours', '2');
      assert.deepEqual(
        [strict.code, strict.out],
        [
          1,
          [
            `FAIL ${ORIGIN}: stale: the latest checkpoint was signed at ${iso(at)}, more than 2 h ago: the register has stopped signing`,
          ],
        ],
      );
      assert.equal(readFileSync(state, 'utf8'), before);
      assert.equal((await watch('--max-age-hours', '4')).code, 0);
      for (const bad of ['0', '-1', 'soon', '']) assert.equal((await watch('--max-age-hours', bad)).code, 2);
    });

    it('fails a checkpoint signed more than 10 minutes in the future', async () => {
      const before = await seen();
      const at = signedAgo(-11 * 60);
      await expectFail(
        new RegExp(
          `^FAIL register\\.example/transparantie: the latest checkpoint says it was signed at ${iso(at)}, more than 10 minutes in the future`,
        ),
        before,
      );
      signedAgo(-5 * 60);
      assert.equal((await watch()).code, 0, 'a few minutes ahead is a clock difference');
    });

    it('fails a timestamped signature that does not verify, and one by another key under the log name', async () => {
      const before = await seen();
      const good = served.log.checkpoint(undefined, undefined, undefined, nowSeconds());
      const lines = good.split('\n');
      const stamped = Buffer.from((lines.at(-2) as string).split(' ')[2] as string, 'base64');
      stamped.writeBigUInt64BE(BigInt(nowSeconds() - 60), 4); // another time under the same signature
      lines[lines.length - 2] = `\u2014 ${ORIGIN} ${stamped.toString('base64')}`;
      served.checkpoint = lines.join('\n');
      const key = served.log.vkey.split('+').slice(0, 2).join('+');
      await expectFail(
        `the checkpoint signature does not verify with key ${key}: the timestamped signature by ${ORIGIN} does not verify`,
        before,
      );
      // A stranger's 0x04 line has another key ID: not the log's, ignored like any unknown signature.
      const stranger = logOf(0).checkpoint(300, served.log.root(), undefined, nowSeconds() - 30 * HOUR);
      served.checkpoint = `${served.log.checkpoint()}${stranger.split('\n').at(-2) as string}\n`;
      const result = await watch();
      assert.match(result.out[0] as string, /\(no signed time\)$/);
    });
  });

  it('refuses to start without a key and says where the key is and why to get it elsewhere', async () => {
    const result = await watch();
    assert.equal(result.code, 2);
    assert.deepEqual(result.out, []);
    assert.match(result.err.join('\n'), /--key <vkey> or --key-file <file>/);
    assert.match(result.err.join('\n'), new RegExp(`${url}transparantie/sleutel`));
    assert.match(result.err.join('\n'), /a source you trust/);
    assert.match(result.err.join('\n'), /--trust-on-first-use/);
    assert.equal(existsSync(state), false);
  });

  it('pins the served key on first use when asked, and uses a key file', async () => {
    const tofu = await watch('--trust-on-first-use');
    assert.equal(tofu.code, 0);
    assert.match(
      tofu.err[0] as string,
      /trusting on first use the key the register serves: register\.example/,
    );
    const keyFile = path.join(dir, 'key.txt');
    writeFileSync(keyFile, `${served.log.vkey}\n`);
    const other = await run([url, '--state', path.join(dir, 'other.json'), '--key-file', keyFile]);
    assert.equal(other.code, 0, other.out.join('\n'));
  });

  it('says usage and network errors with exit 2', async () => {
    assert.equal((await run([])).code, 2);
    assert.equal((await run([url, '--bogus'])).code, 2);
    assert.equal((await run([url, '--key', 'not a key', '--state', state])).code, 2);
    assert.equal((await run(['ftp://example.org', '--key', served.log.vkey])).code, 2);
    const closed = await startServer(served);
    await new Promise((resolve) => closed.server.close(resolve));
    const result = await run([closed.url, '--key', served.log.vkey, '--state', state]);
    assert.equal(result.code, 2);
    assert.match(
      result.err[0] as string,
      /^network error: cannot fetch http:\/\/127\.0\.0\.1:\d+\/transparantie\/checkpoint/,
    );
  });

  it('runs as a program: one line and the exit code', async () => {
    const script = path.join(__dirname, '..', '..', 'monitor', 'monitor.js');
    const { stdout } = await promisify(execFile)(process.execPath, [
      script,
      url,
      '--key',
      served.log.vkey,
      '--state',
      state,
    ]);
    assert.equal(
      stdout,
      `OK ${ORIGIN} size 300 (+300 leaves) root ${served.log.root().toString('base64')} (no signed time)\n`,
    );
    served.log = logOf(2, served.log.privateKey);
    await assert.rejects(
      promisify(execFile)(process.execPath, [script, url, '--state', state]),
      (error: { code?: number; stdout?: string }) => {
        assert.equal(error.code, 1);
        assert.match(error.stdout ?? '', /^FAIL .*log shrank/);
        return true;
      },
    );
  });
});

describe('monitor CLI check-proof (offline attestation check)', () => {
  let dir: string;
  const pdf = Buffer.from('%PDF-1.7\nan attestation\n%%EOF\n');
  const log = new StaticLog(ORIGIN);
  const issued = JSON.stringify({
    action: 'attestation.issued',
    actor: 'user:7',
    data: { number: 'RVH-2026-000123', pdfSha256: createHash('sha256').update(pdf).digest('hex') },
    id: '77',
    occurredAt: '2026-11-30T12:00:00.000Z',
    subjectId: 'a1',
    subjectType: 'attestation',
  });
  for (let i = 0; i < 77; i++) log.append(i === 40 ? issued : entry(i));
  let proofText: string;

  before(async () => {
    proofText = formatTlogProof({
      extra: Buffer.from(issued),
      index: 40,
      proof: await inclusionProof(40, 77, log.reader),
      checkpoint: log.checkpoint(),
    });
  });

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'check-proof-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function check(
    pdfBytes: Buffer,
    proof: string,
    vkey = log.vkey,
  ): Promise<{ code: number; out: string[] }> {
    writeFileSync(path.join(dir, 'a.pdf'), pdfBytes);
    writeFileSync(path.join(dir, 'a.tlog-proof'), proof);
    const result = await run([
      'check-proof',
      path.join(dir, 'a.pdf'),
      path.join(dir, 'a.tlog-proof'),
      '--key',
      vkey,
    ]);
    return { code: result.code, out: result.out };
  }

  it('says OK with the number, issue time and tree size', async () => {
    assert.deepEqual(await check(pdf, proofText), {
      code: 0,
      out: [
        `OK attestation RVH-2026-000123 issued 2026-11-30T12:00:00.000Z: leaf 40 of ${ORIGIN} at tree size 77 (no signed time)`,
      ],
    });
    assert.equal(leafHash(issued).length, 32);
  });

  it('says when the checkpoint was signed, when it carries the signed time', async () => {
    const signedAt = Date.UTC(2026, 10, 30, 12, 5, 0) / 1000;
    const stamped =
      proofText.slice(0, proofText.indexOf('\n\n') + 2) + log.checkpoint(77, undefined, undefined, signedAt);
    assert.deepEqual((await check(pdf, stamped)).out, [
      `OK attestation RVH-2026-000123 issued 2026-11-30T12:00:00.000Z: leaf 40 of ${ORIGIN} at tree size 77, checkpoint signed at 2026-11-30T12:05:00Z`,
    ]);
  });

  it('fails on an altered PDF', async () => {
    const result = await check(Buffer.concat([pdf, Buffer.from(' ')]), proofText);
    assert.equal(result.code, 1);
    assert.match(
      result.out[0] as string,
      /^FAIL attestation RVH-2026-000123: the PDF is not this attestation: its SHA-256 [0-9a-f]{64} is not [0-9a-f]{64}$/,
    );
  });

  it('fails on an altered proof line', async () => {
    const lines = proofText.split('\n');
    const hash = Buffer.from(lines[3] as string, 'base64');
    hash[0] = (hash[0] as number) ^ 1;
    lines[3] = hash.toString('base64');
    const result = await check(pdf, lines.join('\n'));
    assert.deepEqual(result.out, [
      `FAIL ${dir}/a.tlog-proof: the issue event is not in the signed log: the inclusion proof of leaf 40 does not lead to the root of size 77`,
    ]);
    assert.equal(result.code, 1);
  });

  it('fails on an altered issue event in the extra line (another PDF hash)', async () => {
    const other = Buffer.from(issued.replace(/"pdfSha256":"[0-9a-f]+"/, `"pdfSha256":"${'0'.repeat(64)}"`));
    const result = await check(pdf, proofText.replace(/^extra .*$/m, `extra ${other.toString('base64')}`));
    assert.match(result.out[0] as string, /the issue event is not in the signed log/);
    assert.equal(result.code, 1);
  });

  it('fails with the wrong key', async () => {
    const stranger = new StaticLog(ORIGIN);
    const result = await check(pdf, proofText, stranger.vkey);
    assert.match(
      result.out[0] as string,
      /the checkpoint signature does not verify with key .*: the note has no signature by a known key$/,
    );
    assert.equal(result.code, 1);
  });

  it('fails on an altered checkpoint', async () => {
    const result = await check(pdf, proofText.replace('\n77\n', '\n78\n'));
    assert.match(
      result.out[0] as string,
      /the signature by register\.example\/transparantie does not verify$/,
    );
    assert.equal(result.code, 1);
  });

  it('fails on a checkpoint signed anew by the log key over another root', async () => {
    const bent = log.checkpoint(77, leafHash('another root'));
    const result = await check(pdf, proofText.slice(0, proofText.indexOf('\n\n') + 2) + bent);
    assert.match(result.out[0] as string, /the issue event is not in the signed log/);
    const reformatted = signNote(
      formatCheckpoint({ origin: ORIGIN, size: 77, root: log.root(), extensions: [] }),
      ORIGIN,
      log.privateKey,
    );
    assert.equal((await check(pdf, proofText.slice(0, proofText.indexOf('\n\n') + 2) + reformatted)).code, 0);
  });

  it('says a usage error without the key or files', async () => {
    assert.equal((await run(['check-proof', 'a.pdf', 'b.tlog-proof'])).code, 2);
    assert.equal((await run(['check-proof', path.join(dir, 'none.pdf'), 'b', '--key', log.vkey])).code, 2);
  });
});
