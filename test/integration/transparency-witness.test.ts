import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  cosign,
  parseCosignature,
  parseWitnessKey,
  verifyCosignature,
  witnessVerifierKey,
} from '../../monitor/lib/cosignature';
import { openNote, rawPublicKey } from '../../monitor/lib/note';
import { parseTlogProof } from '../../monitor/lib/proof';
import { runMonitor } from '../../monitor/monitor';
import { appendAuditEvents } from '../../src/audit/audit.service';
import { must } from '../../src/shared/must';
import { addMonths } from '../../src/shared/time';
import { attestationProof, tlogProofFile } from '../../src/transparency/attestation-proof';
import { signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { loadLogKey } from '../../src/transparency/log-key';
import { givenApproval, givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenIssuedAttestation, testApp, testConfig } from '../helpers/app';
import { createTestDatabase, type TestDatabase, testSigner } from '../helpers/database';

const key = loadLogKey(testConfig);
const URL = '/transparantie/cosignaturen';
const now = () => Math.floor(Date.now() / 1000);

interface Witness {
  name: string;
  privateKey: KeyObject;
  vkey: string;
}

function newWitness(name: string): Witness {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { name, privateKey, vkey: witnessVerifierKey(name, rawPublicKey(privateKey)) };
}

/** The note text (the checkpoint body) of a signed note. */
const textOf = (note: string) => note.slice(0, note.lastIndexOf('\n\n') + 1);

/** What a witness posts: the checkpoint's text, a blank line, its cosignature line. */
const cosigned = (text: string, w: Witness, time = now()) =>
  `${text}\n${cosign(text, w.name, w.privateKey, time)}\n`;

async function grow(db: TestDatabase, count: number): Promise<void> {
  await db.dataSource.transaction((m) =>
    appendAuditEvents(
      m,
      new Date(),
      Array.from({ length: count }, (_, i) => ({
        actor: 'test:witness',
        action: 'test.event',
        subjectType: 'test',
        subjectId: String(i),
      })),
    ),
  );
}

async function signNow(db: TestDatabase): Promise<string> {
  const result = await signCheckpointIfDue(db.dataSource, testSigner(db), new Date(), {
    intervalSeconds: 30,
    asked: true,
  });
  assert.equal(result.outcome, 'signed');
  return (result as { note: string }).note;
}

async function cosignatureRows(db: TestDatabase) {
  return db.dataSource.query<
    { checkpointId: string; witness: string; keyId: Buffer; at: Date; line: string }[]
  >(
    `SELECT checkpoint_id::text AS "checkpointId", witness_name AS witness, key_id AS "keyId",
            cosigned_at AS at, signature_line AS line
       FROM log_cosignatures ORDER BY checkpoint_id, witness_name`,
  );
}

describe('witnesses: POST /transparantie/cosignaturen', () => {
  let db: TestDatabase;
  let agent: request.Agent;
  const w1 = newWitness('witness.test/w1');
  const w2 = newWitness('witness.test/w2');
  const stranger = newWitness('stranger.test/w');
  let note: string;
  let text: string;

  before(async function () {
    this.timeout(60_000);
    db = await createTestDatabase();
    agent = request.agent(testApp(db.dataSource, { config: { logWitnessKeys: [w1.vkey, w2.vkey] } }).app);
    await grow(db, 20);
    note = await signNow(db);
    text = textOf(note);
  });
  after(() => db.drop());

  const post = (body: string | Buffer, type = 'text/plain; charset=utf-8') =>
    agent.post(URL).set('Content-Type', type).send(body);

  it("keeps a witness's valid cosignature of a checkpoint the register signed (201), once (200 again)", async () => {
    const time = now();
    const first = await post(cosigned(text, w1, time));
    assert.equal(first.status, 201, first.text);
    assert.match(first.text, /Cosignature by witness\.test\/w1 kept with the checkpoint of tree size 20/);
    assert.match(first.headers['content-type'] ?? '', /^text\/plain/);
    const again = await post(cosigned(text, w1, time + 60));
    assert.equal(again.status, 200, again.text);
    const rows = await cosignatureRows(db);
    assert.equal(rows.length, 1);
    const row = must(rows[0], 'the kept cosignature');
    assert.equal(row.witness, w1.name);
    assert.deepEqual(row.keyId, parseWitnessKey(w1.vkey).keyId);
    assert.equal(row.at.getTime(), time * 1000, 'the first is kept, with its own time');
    assert.equal(row.line, cosign(text, w1.name, w1.privateKey, time));
  });

  it('refuses a cosignature by a witness the register does not know (403)', async () => {
    const res = await post(cosigned(text, stranger));
    assert.equal(res.status, 403, res.text);
    assert.match(res.text, /niet bekend/);
    assert.match(res.text, /stranger\.test\/w is not a witness/);
  });

  it('refuses a witness name with another key (403), a signature that does not verify (400), a time too far ahead (400)', async () => {
    const impostor = newWitness(w2.name);
    assert.equal((await post(cosigned(text, impostor))).status, 403);
    // Signed over another body, posted with this one.
    const otherBody = text.replace(/\n20\n/, '\n21\n');
    const line = cosign(otherBody, w2.name, w2.privateKey, now());
    const bad = await post(`${text}\n${line}\n`);
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.text, /does not verify/);
    const future = await post(cosigned(text, w2, now() + 11 * 60));
    assert.equal(future.status, 400, future.text);
    assert.match(future.text, /in the future/);
    assert.equal((await cosignatureRows(db)).length, 1, 'nothing kept');
  });

  it('refuses a valid cosignature of a checkpoint the register never signed (404)', async () => {
    const forged = `${key.origin}\n20\n${Buffer.alloc(32, 9).toString('base64')}\n`;
    const res = await post(cosigned(forged, w2));
    assert.equal(res.status, 404, res.text);
    assert.match(res.text, /never signed a checkpoint with this body/);
  });

  it('refuses a body over 1 KB (413) and anything but text/plain (415)', async () => {
    const big = await post(`${text}\n${'x'.repeat(1100)}\n`);
    assert.equal(big.status, 413);
    assert.match(big.text, /at most 1 KB/);
    const form = await agent
      .post(URL)
      .type('form')
      .send({ cosignature: cosigned(text, w2) });
    assert.equal(form.status, 415);
    const json = await agent.post(URL).send({ cosignature: cosigned(text, w2) });
    assert.equal(json.status, 415);
    const latin = await post(cosigned(text, w2), 'text/plain; charset=x-unknown');
    assert.equal(latin.status, 415);
    assert.match(latin.text, /Stuur de cosignatuur in UTF-8\.\nSend the cosignature in UTF-8\./);
  });

  it('refuses a body in a compression it does not know (415), and one that does not decompress (400), keeping nothing', async () => {
    const before = (await cosignatureRows(db)).length;
    const packed = await agent
      .post(URL)
      .set('Content-Type', 'text/plain; charset=utf-8')
      .set('Content-Encoding', 'x-squeeze')
      .send(cosigned(text, w2));
    assert.equal(packed.status, 415, packed.text);
    assert.match(packed.text, /ongecomprimeerd, of met gzip, deflate of br/);
    assert.match(packed.text, /Send the cosignature uncompressed, or with gzip, deflate or br\./);
    const broken = await agent
      .post(URL)
      .set('Content-Type', 'text/plain; charset=utf-8')
      .set('Content-Encoding', 'gzip')
      .send(Buffer.from('dit is geen gzip'));
    assert.equal(broken.status, 400, broken.text);
    assert.match(broken.text, /De inhoud kon niet gelezen worden\.\nThe body could not be read\./);
    assert.equal((await cosignatureRows(db)).length, before, 'nothing kept');
  });

  it('answers junk with a clear 400, never a 500', async () => {
    const line = cosign(text, w2.name, w2.privateKey, now());
    const junk: (string | Buffer)[] = [
      '',
      '\n',
      '\n\n',
      line,
      `${line}\n`,
      `${text}\n`,
      `${text}\n\n`,
      `${text}\n${line}\n${line}\n`,
      `${text}\n${line.replace('\u2014', '-')}\n`,
      `${text}\n\u2014 ${w2.name} ${Buffer.alloc(68).toString('base64')}\n`,
      `${text}\n\u2014 ${w2.name} !!!!\n`,
      `${text.replace('\n20\n', '\n020\n')}\n${line}\n`,
      `${text.replace('\n20\n', '\n99999999999999999999\n')}\n${line}\n`,
      `${text.slice(0, -1)}\u0000\n\n${line}\n`,
      Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0xfe, 0x0a, 0x0a]), Buffer.from(line)]),
      `\n\n${line}\n`,
    ];
    const answers = [];
    for (const body of junk) answers.push((await post(body)).status);
    assert.deepEqual(
      answers,
      junk.map(() => 400),
    );
    assert.equal((await cosignatureRows(db)).length, 1, 'nothing kept');
  });

  it('answers a post with no body at all (neither Content-Length nor chunks) as junk: 400, never a 500', async () => {
    const server = testApp(db.dataSource, { config: { logWitnessKeys: [w1.vkey, w2.vkey] } }).app.listen(
      0,
      '127.0.0.1',
    );
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () =>
          socket.write(
            `POST ${URL} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n`,
          ),
        );
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (text += chunk));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      assert.match(answer, /^HTTP\/1\.1 400 /);
      assert.match(answer, /Er is geen cosignatuur meegestuurd\.\nThe request carries no cosignature\.\n$/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers OPTIONS with what the address takes, and no invitation to other sites', async () => {
    const res = await agent.options(URL);
    assert.equal(res.status, 204);
    assert.equal(res.headers.allow, 'OPTIONS, POST');
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });

  it("serves the checkpoint with the cosignatures after the log's signature; the log key alone still opens it", async () => {
    assert.equal((await post(cosigned(text, w2))).status, 201);
    const served = (await agent.get('/transparantie/checkpoint')).text;
    assert.ok(served.startsWith(note), "the log's note first, verbatim");
    const opened = openNote(served, [key.verifierKey]);
    assert.equal(opened.text, text);
    assert.deepEqual(
      opened.signatures.map((s) => s.name),
      [key.origin, key.origin, w1.name, w2.name],
    );
    for (const [w, line] of [
      [w1, served.split('\n').at(-3)],
      [w2, served.split('\n').at(-2)],
    ] as const)
      verifyCosignature(
        opened.text,
        parseCosignature(must(line, 'a cosignature line')),
        parseWitnessKey(w.vkey),
      );
  });

  it('shows the witnesses on /transparantie, who cosigned the latest checkpoint, and the cosignatures in the history', async () => {
    const page = await agent.get('/transparantie');
    assert.equal(page.status, 200);
    assert.match(page.text, /data-witness="witness\.test\/w1" data-cosigned="yes"/);
    assert.match(page.text, /data-witness="witness\.test\/w2" data-cosigned="yes"/);
    assert.ok(page.text.includes(w1.vkey), 'the witness key is shown');
    // A new checkpoint: not cosigned yet.
    await grow(db, 1);
    await signNow(db);
    const later = await agent.get('/transparantie');
    assert.match(later.text, /data-witness="witness\.test\/w1" data-cosigned="no"/);
    const history = await agent.get('/transparantie/checkpoints');
    assert.match(history.text, /data-cosigned-by="none"/);
    assert.match(history.text, /data-cosigned-by="witness\.test\/w1"/);
    assert.match(history.text, /data-cosigned-by="witness\.test\/w2"/);
  });

  it('hands out .tlog-proof files with the cosigned checkpoint', async () => {
    const provider = await givenProvider(db.dataSource);
    await givenApproval(
      db.dataSource,
      provider,
      await givenCodeVersion(db.dataSource),
      addMonths(new Date(), -1),
    );
    const attestation = await givenIssuedAttestation(db.dataSource, provider.id);
    const latest = await signNow(db);
    assert.equal((await post(cosigned(textOf(latest), w1))).status, 201);
    const proof = must(await attestationProof(db.dataSource.manager, attestation.number), 'a proof');
    assert.equal(proof.state, 'included');
    const file = parseTlogProof(tlogProofFile(proof));
    const opened = openNote(file.checkpoint, [key.verifierKey]);
    assert.deepEqual(
      opened.signatures.map((s) => s.name),
      [key.origin, key.origin, w1.name],
    );
  });

  it('limits the posts per client address (429 with Retry-After)', async function () {
    this.timeout(60_000);
    let res;
    for (let i = 0; i < 70; i++) {
      res = await post('junk');
      if (res.status === 429) break;
    }
    assert.equal(res?.status, 429);
    assert.match(String(res?.headers['retry-after']), /^[1-9][0-9]*$/);
  });
});

describe('the monitor as a witness, against the real app listening on a port', () => {
  let db: TestDatabase;
  let server: Server;
  let url: string;
  let dir: string;
  let witnessKeyFile: string;
  let vkey: string;
  const name = 'witness.test/monitor';

  async function monitor(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runMonitor(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  }

  before(async function () {
    this.timeout(60_000);
    dir = mkdtempSync(path.join(os.tmpdir(), 'vhp-witness-'));
    witnessKeyFile = path.join(dir, 'witness.pem');
    const made = await monitor('witness-key', name, witnessKeyFile);
    assert.equal(made.code, 0, made.err.join('\n'));
    vkey = must(made.out[0], 'the verifier key');
    db = await createTestDatabase();
    const { app } = testApp(db.dataSource, { config: { logWitnessKeys: [vkey] } });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await grow(db, 300);
    await signNow(db);
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const watch = (...extra: string[]) =>
    monitor(url, '--key', key.verifierKey, '--state', path.join(dir, 'state.json'), ...extra);

  it('witness-key wrote a private key readable by its owner only and printed its 0x04 verifier key; it never overwrites', async () => {
    assert.equal(parseWitnessKey(vkey).name, name);
    assert.match(readFileSync(witnessKeyFile, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
    const again = await monitor('witness-key', name, witnessKeyFile);
    assert.equal(again.code, 2);
    assert.match(again.err.join('\n'), /cannot write/);
  });

  it('a FAIL run never cosigns', async () => {
    // Another log key than the register's: the checkpoint's signature does not verify.
    const other = loadLogKey({ ...testConfig, logSigningKeyFile: undefined, dataDir: dir });
    assert.notEqual(other.verifierKey, key.verifierKey);
    const res = await monitor(
      url,
      '--key',
      other.verifierKey,
      '--state',
      path.join(dir, 'fail-state.json'),
      '--witness-key-file',
      witnessKeyFile,
      '--witness-name',
      name,
    );
    assert.equal(res.code, 1);
    assert.match(must(res.out[0], 'the verdict'), /^FAIL .*signature does not verify/);
    assert.equal(res.out.length, 1, 'no cosignature line');
    assert.equal((await cosignatureRows(db)).length, 0);
  });

  it('after an OK run, cosigns the checkpoint it verified; the register keeps it and serves it; the page shows it', async () => {
    const res = await watch('--witness-key-file', witnessKeyFile, '--witness-name', name);
    assert.equal(res.code, 0, res.err.join('\n'));
    assert.match(must(res.out[0], 'the verdict'), /^OK .* size 300 /);
    assert.equal(res.out[1], `cosigned as ${name}: the register accepted it`);
    const rows = await cosignatureRows(db);
    assert.deepEqual(
      rows.map((r) => r.witness),
      [name],
    );
    const served = await (await fetch(`${url}/transparantie/checkpoint`)).text();
    assert.ok(served.endsWith(`${must(rows[0], 'the row').line}\n`));
    const page = await (await fetch(`${url}/transparantie`)).text();
    assert.match(page, /data-witness="witness\.test\/monitor" data-cosigned="yes"/);
  });

  it('the next run verifies the cosigned checkpoint (the witness line is ignored) and cosigns it again: the register had it', async () => {
    const res = await watch('--witness-key-file', witnessKeyFile, '--witness-name', name);
    assert.equal(res.code, 0, res.err.join('\n'));
    assert.match(must(res.out[0], 'the verdict'), /^OK .* size 300 \(\+0 leaves/);
    assert.match(must(res.out[1], 'the witness line'), /had this witness's cosignature of it already/);
    assert.equal((await cosignatureRows(db)).length, 1);
  });

  it('says so, and exits 2, when the register does not know the witness', async () => {
    const res = await watch('--witness-key-file', witnessKeyFile, '--witness-name', 'unknown.test/w');
    assert.equal(res.code, 2);
    assert.match(must(res.out[0], 'the verdict'), /^OK /);
    assert.match(res.err.join('\n'), /refused it \(HTTP 403: Unknown witness/);
  });

  it('refuses half a witness setup', async () => {
    const res = await watch('--witness-name', name);
    assert.equal(res.code, 2);
    assert.match(res.err.join('\n'), /both --witness-key-file and --witness-name/);
  });
});
