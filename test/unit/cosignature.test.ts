import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  cosign,
  cosignedMessage,
  cosignerKeyId,
  CosignatureError,
  parseCosignature,
  parseWitnessKey,
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
