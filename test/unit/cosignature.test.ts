import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  cosign,
  cosignedMessage,
  cosignerKeyId,
  CosignatureError,
  logTimestampKey,
  logTimestampVerifierKey,
  openTimestampedNote,
  parseCosignature,
  parseWitnessKey,
  signTimestampedNote,
  verifyCosignature,
  witnessVerifierKey,
} from '../../monitor/lib/cosignature';
import { keyId, openNote, rawPublicKey, signNote, verifierKey } from '../../monitor/lib/note';

/** The checkpoint of the tlog-cosignature spec's examples, and its witness line (no key is published for it). */
const SPEC_BODY = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SPEC_LINE =
  '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==';
const BODY = 'register.test/transparantie\n42\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const TIME = 1_764_700_000;

function witness(name = 'witness.test/w1') {
  const { privateKey } = generateKeyPairSync('ed25519');
  const vkey = witnessVerifierKey(name, rawPublicKey(privateKey));
  return { name, privateKey, vkey, key: parseWitnessKey(vkey) };
}

describe('tlog-cosignature v1 (Ed25519)', () => {
  it('reads the spec example line: key ID, the time of its signed-message example, a 64-byte signature', () => {
    const c = parseCosignature(SPEC_LINE);
    assert.equal(c.name, 'witness.example.com/w1');
    assert.equal(c.keyId.toString('hex'), '8d66cf3f');
    assert.equal(c.timestamp, 1679315147);
    assert.equal(c.signature.length, 64);
  });

  it('signs exactly the message of the spec: header, time line, checkpoint body', () => {
    assert.equal(
      cosignedMessage(SPEC_BODY, 1679315147).toString('utf8'),
      'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
  });

  it('computes the key ID over the name, a newline, the type byte 0x04 and the key; the verifier key says 0x04', () => {
    const w = witness();
    const raw = w.key.publicKey;
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from(`${w.name}\n`), Buffer.of(0x04), raw]))
      .digest()
      .subarray(0, 4);
    assert.deepEqual(cosignerKeyId(w.name, raw), expected);
    assert.equal(
      w.vkey,
      `${w.name}+${expected.toString('hex')}+${Buffer.concat([Buffer.of(4), raw]).toString('base64')}`,
    );
    // The same key as a note signer (type 0x01) has another key ID: a cosignature is no log signature.
    assert.notDeepEqual(keyId(w.name, raw), expected);
  });

  it('round trip: a cosignature verifies with its witness key, and carries its time', () => {
    const w = witness();
    const line = cosign(BODY, w.name, w.privateKey, TIME);
    const c = parseCosignature(`${line}\n`);
    assert.equal(c.timestamp, TIME);
    verifyCosignature(BODY, c, w.key);
  });

  const refusals: [string, (w: ReturnType<typeof witness>, line: string) => () => void, RegExp][] = [
    [
      'another witness key',
      (w, line) => () => verifyCosignature(BODY, parseCosignature(line), witness(w.name).key),
      /not by the witness/,
    ],
    [
      'an altered body',
      (w, line) => () => verifyCosignature(BODY.replace('42', '43'), parseCosignature(line), w.key),
      /does not verify/,
    ],
    [
      'an altered time',
      (w, line) => () => verifyCosignature(BODY, { ...parseCosignature(line), timestamp: TIME + 1 }, w.key),
      /does not verify/,
    ],
    [
      'another name',
      (w, line) => () => verifyCosignature(BODY, { ...parseCosignature(line), name: 'other.test/w1' }, w.key),
      /not by the witness/,
    ],
    [
      'a flipped signature bit',
      (w, line) => () => {
        const c = parseCosignature(line);
        const signature = Buffer.from(c.signature);
        signature[0] = (signature[0] ?? 0) ^ 1;
        verifyCosignature(BODY, { ...c, signature }, w.key);
      },
      /does not verify/,
    ],
  ];
  for (const [what, attempt, message] of refusals) {
    it(`refuses ${what}`, () => {
      const w = witness();
      const line = cosign(BODY, w.name, w.privateKey, TIME);
      assert.throws(attempt(w, line), (e: Error) => e instanceof CosignatureError && message.test(e.message));
    });
  }

  const badLines: [string, string][] = [
    ['no dash', 'witness.test/w1 AAAA'],
    ['a note signature (4 + 64 bytes, no time)', `— w ${Buffer.alloc(68).toString('base64')}`],
    ['bad base64', '— w not*base64'],
    ['two lines', `— w ${Buffer.alloc(76).toString('base64')}\n— w ${Buffer.alloc(76).toString('base64')}`],
    [
      'a time beyond 2^53',
      `— w ${Buffer.concat([Buffer.alloc(4), Buffer.from('7fffffffffffffff', 'hex'), Buffer.alloc(64)]).toString('base64')}`,
    ],
    ['empty', ''],
  ];
  for (const [what, line] of badLines) {
    it(`refuses a malformed line: ${what}`, () => {
      assert.throws(() => parseCosignature(line), CosignatureError);
    });
  }

  const badKeys: [string, string][] = [
    ['a note key (type 0x01)', verifierKey('w', Buffer.alloc(32, 7))],
    ['a wrong key ID', witness('w').vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')],
    ['no key', 'w+12345678+'],
    ['a plus in the name', 'a+b+c+d'],
  ];
  for (const [what, vkey] of badKeys) {
    it(`refuses a witness key with ${what}`, () => {
      assert.throws(() => parseWitnessKey(vkey), CosignatureError);
    });
  }

  it('refuses to cosign a body that is no note text, or at a negative time', () => {
    const w = witness();
    assert.throws(() => cosign('no newline', w.name, w.privateKey, TIME), CosignatureError);
    assert.throws(() => cosign(BODY, w.name, w.privateKey, -1), CosignatureError);
  });

  it('a note with the log signature and cosignatures still opens with the log key alone', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const log = verifierKey('register.test/transparantie', rawPublicKey(privateKey));
    const note = signNote(BODY, 'register.test/transparantie', privateKey);
    const w1 = witness('witness.test/w1');
    const w2 = witness('witness.test/w2');
    const cosigned = `${note}${cosign(BODY, w1.name, w1.privateKey, TIME)}\n${cosign(BODY, w2.name, w2.privateKey, TIME)}\n`;
    const opened = openNote(cosigned, [log]);
    assert.equal(opened.text, BODY);
    assert.equal(opened.signatures.length, 3);
  });
});

describe("the log's own timestamped signature (cosignature/v1 by the log key)", () => {
  const name = 'register.test/transparantie';
  const { privateKey } = generateKeyPairSync('ed25519');
  const log = verifierKey(name, rawPublicKey(privateKey));
  const note = signTimestampedNote(BODY, name, privateKey, TIME);
  const lines = note.slice(BODY.length + 1, -1).split('\n');

  it('signs with two lines under the log name: the note signature first, then the timestamped one', () => {
    assert.equal(lines.length, 2);
    assert.ok(
      note.startsWith(signNote(BODY, name, privateKey)),
      'the first line is the plain note signature',
    );
    const stamped = parseCosignature(lines[1] as string);
    assert.deepEqual(
      [stamped.name, stamped.keyId.toString('hex'), stamped.timestamp],
      [name, cosignerKeyId(name, rawPublicKey(privateKey)).toString('hex'), TIME],
    );
    assert.notEqual(stamped.keyId.toString('hex'), keyId(name, rawPublicKey(privateKey)).toString('hex'));
  });

  it('opens with the note key alone, as any signed-note reader does', () => {
    const opened = openNote(note, [log]);
    assert.equal(opened.text, BODY);
    assert.equal(opened.signatures.length, 2);
  });

  it('has a cosignature line that verifies with the 0x04 key of the same name and public key', () => {
    const key = logTimestampKey(log);
    assert.deepEqual(key, parseWitnessKey(logTimestampVerifierKey(log)));
    assert.equal(
      logTimestampVerifierKey(log),
      witnessVerifierKey(name, rawPublicKey(privateKey)),
      'type 0x04, same name and key',
    );
    verifyCosignature(BODY, parseCosignature(lines[1] as string), key);
    assert.deepEqual(openTimestampedNote(note, log), { text: BODY, timestamp: TIME });
  });

  it('gives another note for the same checkpoint at another time (Ed25519 alone would not)', () => {
    assert.equal(signNote(BODY, name, privateKey), signNote(BODY, name, privateKey));
    const later = signTimestampedNote(BODY, name, privateKey, TIME + 86_400);
    assert.notEqual(later, note);
    assert.equal(openTimestampedNote(later, log).timestamp, TIME + 86_400);
  });

  it('opens an old note without the timestamped line: no time', () => {
    assert.deepEqual(openTimestampedNote(signNote(BODY, name, privateKey), log), { text: BODY });
  });

  it('ignores a timestamped line by another key under the log name', () => {
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const foreign = cosign(BODY, name, stranger, TIME);
    assert.deepEqual(openTimestampedNote(`${signNote(BODY, name, privateKey)}${foreign}\n`, log), {
      text: BODY,
    });
  });

  it('refuses a timestamped line whose time was changed, or that is there twice', () => {
    const bytes = Buffer.from((lines[1] as string).split(' ')[2] as string, 'base64');
    bytes.writeBigUInt64BE(BigInt(TIME + 1), 4);
    const bent = `${signNote(BODY, name, privateKey)}\u2014 ${name} ${bytes.toString('base64')}\n`;
    assert.throws(() => openTimestampedNote(bent, log), {
      name: 'CosignatureError',
      message: `the timestamped signature by ${name} does not verify`,
    });
    assert.throws(() => openTimestampedNote(`${note}${lines[1] as string}\n`, log), CosignatureError);
  });

  it('refuses a note whose plain signature does not verify, whatever its timestamped line', () => {
    const bent = note.replace('\n42\n', '\n43\n');
    assert.throws(() => openTimestampedNote(bent, log), { name: 'NoteError' });
  });
});
