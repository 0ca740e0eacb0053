import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { CheckpointError, formatCheckpoint, parseCheckpoint } from '../../monitor/lib/checkpoint';
import { EMPTY_ROOT, inclusionProof, leafHash, treeRoot, verifyInclusion } from '../../monitor/lib/merkle';
import {
  keyId,
  NoteError,
  openNote,
  parseVerifierKey,
  rawPublicKey,
  signNote,
  verifierKey,
} from '../../monitor/lib/note';
import { formatTlogProof, parseTlogProof, TlogProofError } from '../../monitor/lib/proof';
import {
  decodeEntryBundle,
  encodeEntryBundle,
  entriesPath,
  parseTilePath,
  tileNodeReader,
  tilePath,
} from '../../monitor/lib/tiles';
import { StaticLog } from '../helpers/static-log';

/** The example of golang.org/x/mod/sumdb/note: an outside implementation's key, text and signed note. */
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_SEED = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
const GO_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

function ed25519FromSeed(seed: Buffer): ReturnType<typeof createPrivateKey> {
  const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  return createPrivateKey({ key: Buffer.concat([pkcs8Prefix, seed]), format: 'der', type: 'pkcs8' });
}

function newKey(name: string): {
  name: string;
  privateKey: ReturnType<typeof createPrivateKey>;
  vkey: string;
} {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { name, privateKey, vkey: verifierKey(name, rawPublicKey(privateKey)) };
}

describe('signed notes (C2SP signed-note)', () => {
  const log = newKey('register.example/transparantie');
  const text = 'register.example/transparantie\n7\nA1TYeOmbOd1EEqxVtiU2pwCA/VOnyOJCbvQnuNgtZ2c=\n';

  it('signs the example of the Go note package byte for byte, and opens it', () => {
    const privateKey = ed25519FromSeed(GO_SEED);
    assert.equal(verifierKey('PeterNeumann', rawPublicKey(privateKey)), GO_VKEY);
    assert.equal(signNote(GO_TEXT, 'PeterNeumann', privateKey), GO_NOTE);
    assert.equal(openNote(GO_NOTE, [GO_VKEY]).text, GO_TEXT);
  });

  it('computes the key ID as SHA-256(name || 0x0A || 0x01 || key)[:4]', () => {
    const key = rawPublicKey(log.privateKey);
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from(`${log.name}\n`), Buffer.of(1), key]))
      .digest()
      .subarray(0, 4);
    assert.deepEqual(keyId(log.name, key), expected);
    assert.deepEqual(parseVerifierKey(log.vkey), { name: log.name, keyId: expected, publicKey: key });
  });

  it('reads a verifier key whose base64 holds a plus (transparency-dev/formats test key)', () => {
    const parsed = parseVerifierKey('TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6');
    assert.equal(parsed.name, 'TEST');
    assert.equal(parsed.keyId.toString('hex'), '7997405c');
  });

  it('opens what it signed, with an em dash signature line', () => {
    const note = signNote(text, log.name, log.privateKey);
    assert.ok(note.startsWith(`${text}\n\u2014 ${log.name} `));
    const opened = openNote(note, [log.vkey]);
    assert.equal(opened.text, text);
    assert.equal(opened.signatures.length, 1);
    assert.equal(opened.signatures[0]?.name, log.name);
    assert.equal(opened.signatures[0]?.signature.length, 64);
  });

  it('refuses a note without a signature by a given key', () => {
    const note = signNote(text, log.name, log.privateKey);
    const other = newKey(log.name); // same name, other key: another key ID, so an unknown signature
    assert.throws(() => openNote(note, [other.vkey]), /no signature by a known key/);
    assert.throws(() => openNote(note, []), NoteError);
  });

  it('refuses a note whose text was altered', () => {
    const note = signNote(text, log.name, log.privateKey);
    assert.throws(() => openNote(note.replace('\n7\n', '\n8\n'), [log.vkey]), /does not verify/);
  });

  it('refuses a signature by a given key that does not verify, even beside one that does', () => {
    const note = signNote(text, log.name, log.privateKey);
    const line = note.slice(note.lastIndexOf('\u2014'));
    const bytes = Buffer.from(line.trim().split(' ')[2] as string, 'base64');
    bytes[10] = (bytes[10] as number) ^ 1;
    const bad = `${note}\u2014 ${log.name} ${bytes.toString('base64')}\n`;
    assert.throws(() => openNote(bad, [log.vkey]), /does not verify/);
  });

  it('keeps signatures by unknown keys (a witness), without trusting them', () => {
    const witness = newKey('witness.example/w1');
    const note = signNote(text, log.name, log.privateKey);
    const witnessLine = signNote(text, witness.name, witness.privateKey).slice(text.length + 1);
    const both = note + witnessLine;
    const opened = openNote(both, [log.vkey]);
    assert.deepEqual(
      opened.signatures.map((s) => s.name),
      [log.name, witness.name],
    );
    assert.equal(openNote(both, [witness.vkey, log.vkey]).text, text);
  });

  const malformedNotes: [string, (note: string) => string][] = [
    ['no blank line', (note) => note.replace('\n\n', '\n')],
    ['no newline at the end', (note) => note.slice(0, -1)],
    ['a hyphen for the em dash', (note) => note.replace('\u2014', '-')],
    ['a signature that is not base64', (note) => note.replace(/ [^ ]+\n$/, ' not*base64\n')],
    ['a signature shorter than a key ID', (note) => note.replace(/ [^ ]+\n$/, ' AAAA\n')],
    ['a control character', (note) => note.replace('\n7\n', '\n7\t\n')],
    ['an empty line among the signatures', (note) => `${note}\n`],
  ];
  for (const [what, bend] of malformedNotes) {
    it(`refuses a note with ${what}`, () => {
      assert.throws(() => openNote(bend(signNote(text, log.name, log.privateKey)), [log.vkey]), NoteError);
    });
  }

  const badVkeys: [string, string][] = [
    ['two parts', 'name+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
    ['a wrong key ID', GO_VKEY.replace('c74f20a3', 'c74f20a4')],
    ['an upper-case key ID', GO_VKEY.replace('c74f20a3', 'C74F20A3')],
    ['another name', GO_VKEY.replace('PeterNeumann', 'PeterNeuman')],
    ['a key that is not base64', 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T*'],
    ['a key of another type', 'PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
    ['a key too short', 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy'],
    ['an empty name', '+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
    [
      'a name with a space',
      `Peter Neumann+${keyId('Peter Neumann', Buffer.alloc(32)).toString('hex')}+AQ${'A'.repeat(42)}`,
    ],
  ];
  for (const [what, vkey] of badVkeys) {
    it(`refuses a verifier key with ${what}`, () => {
      assert.throws(() => parseVerifierKey(vkey), NoteError);
      assert.throws(() => openNote(GO_NOTE, [vkey]), NoteError);
    });
  }

  it('refuses to sign text that does not end in a newline, or with a bad key name', () => {
    assert.throws(() => signNote('no newline', log.name, log.privateKey), NoteError);
    assert.throws(() => signNote(text, 'with space', log.privateKey), NoteError);
    assert.throws(() => signNote(text, 'with+plus', log.privateKey), NoteError);
  });
});

describe('checkpoints (C2SP tlog-checkpoint)', () => {
  const root = leafHash('a root');
  const good = `register.example/transparantie\n1234\n${root.toString('base64')}\n`;

  it('formats and parses a checkpoint, with and without extension lines', () => {
    const checkpoint = { origin: 'register.example/transparantie', size: 1234, root, extensions: [] };
    assert.equal(formatCheckpoint(checkpoint), good);
    assert.deepEqual(parseCheckpoint(good), checkpoint);
    const extended = { ...checkpoint, size: 0, root: EMPTY_ROOT, extensions: ['ext one', 'ext two'] };
    assert.deepEqual(parseCheckpoint(formatCheckpoint(extended)), extended);
  });

  const malformed: [string, string][] = [
    ['no final newline', good.slice(0, -1)],
    ['only two lines', 'register.example/transparantie\n1234\n'],
    ['an empty origin', `\n1234\n${root.toString('base64')}\n`],
    ['a size that is not decimal', good.replace('\n1234\n', '\n0x4d2\n')],
    ['a negative size', good.replace('\n1234\n', '\n-1\n')],
    ['a size with leading zeros', good.replace('\n1234\n', '\n01234\n')],
    ['a size with a space', good.replace('\n1234\n', '\n1234 \n')],
    ['a size beyond 2^53', good.replace('\n1234\n', '\n9007199254740993\n')],
    ['a root that is not base64', good.replace(root.toString('base64'), '*'.repeat(44))],
    ['a root in URL-safe base64', good.replace(/\n[^\n]+\n$/, `\n${root.toString('base64url')}\n`)],
    ['a root without padding', good.replace('=\n', '\n')],
    ['a root of 31 bytes', good.replace(root.toString('base64'), root.subarray(1).toString('base64'))],
    [
      'a root of 33 bytes',
      good.replace(root.toString('base64'), Buffer.concat([root, Buffer.of(0)]).toString('base64')),
    ],
    ['an empty extension line', `${good}\nmore\n`],
  ];
  for (const [what, text] of malformed) {
    it(`refuses a checkpoint with ${what}`, () => {
      assert.throws(() => parseCheckpoint(text), CheckpointError);
    });
  }
});

describe('tiles (C2SP tlog-tiles)', () => {
  const paths: [number, number, number | undefined, string][] = [
    [0, 0, undefined, 'tile/0/000'],
    [0, 255, 256, 'tile/0/255'],
    [0, 256, undefined, 'tile/0/256'],
    [1, 1000, undefined, 'tile/1/x001/000'],
    [0, 1234067, undefined, 'tile/0/x001/x234/067'],
    [2, 1234067, 5, 'tile/2/x001/x234/067.p/5'],
    [63, 0, 1, 'tile/63/000.p/1'],
  ];
  for (const [level, index, width, path] of paths) {
    it(`names tile ${level}/${index}${width === undefined ? '' : ` of width ${width}`} ${path}, and reads it back`, () => {
      assert.equal(tilePath(level, index, width), path);
      assert.deepEqual(parseTilePath(path), { kind: 'hashes', level, index, width: width ?? 256 });
      const entries = path.replace(/^tile\/\d+\//, 'tile/entries/');
      assert.equal(entriesPath(index, width), entries);
      assert.deepEqual(parseTilePath(entries), { kind: 'entries', index, width: width ?? 256 });
    });
  }

  it('names and reads every partial width from 1 to 255', () => {
    for (let width = 1; width <= 255; width++) {
      assert.equal(tilePath(0, 7, width), `tile/0/007.p/${width}`);
      assert.deepEqual(parseTilePath(`tile/entries/007.p/${width}`), { kind: 'entries', index: 7, width });
    }
  });

  const refused = [
    'tile/0/000.p/0',
    'tile/0/000.p/256',
    'tile/0/000.p/05',
    'tile/0/0',
    'tile/0/1234067',
    'tile/0/001/234/067',
    'tile/0/x000/001',
    'tile/0/x001/x234/x067',
    'tile/00/000',
    'tile/64/000',
    'tile/-1/000',
    'tile/entries',
    'tile/0/000/',
    '/tile/0/000',
    'tile/0/abc',
    'tile/entries/000.p/',
  ];
  for (const path of refused) {
    it(`refuses the path ${path}`, () => {
      assert.equal(parseTilePath(path), undefined);
    });
  }

  it('refuses to name a tile that cannot exist', () => {
    assert.throws(() => tilePath(64, 0), RangeError);
    assert.throws(() => tilePath(0, -1), RangeError);
    assert.throws(() => tilePath(0, 1, 0), RangeError);
    assert.throws(() => entriesPath(0, 257), RangeError);
  });

  it('round-trips entry bundles, empty entries and the largest entry included', () => {
    const entries = [Buffer.from('first'), Buffer.alloc(0), Buffer.alloc(65535, 7), Buffer.from('{"ü":1}')];
    const bundle = encodeEntryBundle(entries);
    assert.equal(bundle.readUInt16BE(0), 5);
    assert.deepEqual(decodeEntryBundle(bundle), entries);
    assert.deepEqual(decodeEntryBundle(Buffer.alloc(0)), []);
    assert.throws(() => encodeEntryBundle([Buffer.alloc(65536)]), RangeError);
  });

  it('refuses a cut-off entry bundle', () => {
    const bundle = encodeEntryBundle([Buffer.from('first'), Buffer.from('second')]);
    assert.throws(() => decodeEntryBundle(bundle.subarray(0, bundle.length - 1)), RangeError);
    assert.throws(() => decodeEntryBundle(Buffer.concat([bundle, Buffer.of(0)])), RangeError);
    assert.throws(() => decodeEntryBundle(Buffer.of(0, 3, 1)), RangeError);
  });

  it('reads proofs and roots from the tiles of a log, fetching each tile once and only as wide as the tree', async () => {
    const log = new StaticLog();
    for (let i = 0; i < 70000; i++) log.append(`entry ${i}`);
    const memory = log.nodes;
    const direct = (refs: readonly { level: number; index: number }[]): Promise<Buffer[]> =>
      Promise.resolve(refs.map(({ level, index }) => memory.get(level)?.[index] as Buffer));
    for (const size of [1, 255, 256, 257, 65535, 65536, 65537, 70000]) {
      const fetched: string[] = [];
      const reader = tileNodeReader(size, (level, index, width) => {
        fetched.push(tilePath(level, index, width));
        const tile = log.tile(level, index, width);
        return tile === undefined ? Promise.reject(new Error('404')) : Promise.resolve(tile);
      });
      assert.deepEqual(await treeRoot(size, reader), await treeRoot(size, direct), `root of ${size}`);
      assert.equal(new Set(fetched).size, fetched.length, 'each tile once');
      for (const index of [0, Math.floor(size / 2), size - 1]) {
        const proof = await inclusionProof(index, size, reader);
        assert.deepEqual(proof, await inclusionProof(index, size, direct));
        verifyInclusion(index, size, leafHash(`entry ${index}`), proof, await treeRoot(size, direct));
      }
    }
  });

  it('refuses a tile of the wrong length and a node outside the tree', async () => {
    const log = new StaticLog().append('a', 'b', 'c');
    const short = tileNodeReader(3, () => Promise.resolve(Buffer.alloc(64)));
    await assert.rejects(short([{ level: 0, index: 0 }]), /is 64 bytes, not 96/);
    const reader = tileNodeReader(3, (level, index, width) =>
      Promise.resolve(log.tile(level, index, width) as Buffer),
    );
    await assert.rejects(reader([{ level: 1, index: 1 }]), RangeError);
  });
});

describe('tlog-proof files (C2SP tlog-proof)', () => {
  const log = new StaticLog().append('zero', 'one', 'two');
  const proof = {
    extra: Buffer.from('{"a":1}'),
    index: 1,
    proof: [leafHash('x'), leafHash('y')],
    checkpoint: log.checkpoint(),
  };

  it('formats and parses a proof, with and without extra data', () => {
    const text = formatTlogProof(proof);
    assert.ok(
      text.startsWith(
        `c2sp.org/tlog-proof@v1\nextra eyJhIjoxfQ==\nindex 1\n${proof.proof[0]?.toString('base64')}\n`,
      ),
    );
    assert.ok(text.endsWith(`\n\n${proof.checkpoint}`));
    assert.deepEqual(parseTlogProof(text), proof);
    const bare = { index: 0, proof: [], checkpoint: proof.checkpoint };
    assert.deepEqual(parseTlogProof(formatTlogProof(bare)), bare);
    assert.equal(formatTlogProof(bare), `c2sp.org/tlog-proof@v1\nindex 0\n\n${proof.checkpoint}`);
  });

  const text = formatTlogProof(proof);
  const malformed: [string, string][] = [
    ['another header', text.replace('@v1', '@v2')],
    ['no index line', text.replace('index 1\n', '')],
    ['an index with leading zeros', text.replace('index 1\n', 'index 01\n')],
    ['a negative index', text.replace('index 1\n', 'index -1\n')],
    ['extra data that is not base64', text.replace('eyJhIjoxfQ==', 'ey*hIjoxfQ==')],
    ['a proof line that is not a hash', text.replace(leafHash('x').toString('base64'), 'AAAA')],
    ['no empty line before the checkpoint', text.replace('\n\n', '\n')],
    ['no checkpoint', `${text.slice(0, text.indexOf('\n\n'))}\n\n`],
  ];
  for (const [what, bent] of malformed) {
    it(`refuses a proof with ${what}`, () => {
      assert.throws(() => parseTlogProof(bent), TlogProofError);
    });
  }
});
