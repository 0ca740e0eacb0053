import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { cosign, signTimestampedNote } from '../../monitor/lib/cosignature';
import { parseVerifierKey, signNote } from '../../monitor/lib/note';
import { DEVELOPMENT_LOG_KEY, loadLogKey, noteSignedAt } from '../../src/transparency/log-key';
import { SettingError } from '../../src/shared/errors';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'log-signing');

describe('the log key', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'vhp-log-key-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is made once under DATA_DIR, readable by its owner only, when no file is configured', () => {
    const config = { logSigningKeyFile: undefined, logOrigin: 'register.test/transparantie', dataDir };
    const first = loadLogKey(config);
    const file = path.join(dataDir, DEVELOPMENT_LOG_KEY);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(readFileSync(file, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
    const again = loadLogKey(config);
    assert.equal(again.verifierKey, first.verifierKey);
    const parsed = parseVerifierKey(first.verifierKey);
    assert.deepEqual([parsed.name, parsed.publicKey], ['register.test/transparantie', first.publicKey]);
  });

  it('reads LOG_SIGNING_KEY_FILE, and refuses a missing file or a key that is not Ed25519, naming the setting', () => {
    const config = (file: string) => ({ logSigningKeyFile: file, logOrigin: 'o.example/log', dataDir });
    assert.equal(loadLogKey(config(path.join(FIXTURES, 'ed25519.pem'))).publicKey.length, 32);
    assert.throws(
      () => loadLogKey(config(path.join(FIXTURES, 'absent.pem'))),
      (e: Error) => e instanceof SettingError && /LOG_SIGNING_KEY_FILE: there is no file/.test(e.message),
    );
    assert.throws(
      () => loadLogKey(config(path.join(FIXTURES, 'p256.pem'))),
      (e: Error) => e instanceof SettingError && /the key is ec, an Ed25519 key is needed/.test(e.message),
    );
    assert.throws(
      () => loadLogKey(config(path.join(FIXTURES, 'README.md'))),
      (e: Error) => e instanceof SettingError && /not a PKCS#8 PEM private key/.test(e.message),
    );
    // A folder where the file should be: there is something, but it cannot be read.
    assert.throws(
      () => loadLogKey(config(FIXTURES)),
      (e: Error) =>
        e instanceof SettingError &&
        e.message === `LOG_SIGNING_KEY_FILE: cannot read the file (EISDIR) at ${FIXTURES}`,
    );
  });

  describe('the time the log signed a note', () => {
    const key = () =>
      loadLogKey({
        logSigningKeyFile: path.join(FIXTURES, 'ed25519.pem'),
        logOrigin: 'o.example/log',
        dataDir,
      });
    const text = 'o.example/log\n5\n' + Buffer.alloc(32, 1).toString('base64') + '\n';

    it('is read from the timestamped signature', () => {
      const k = key();
      const note = signTimestampedNote(text, k.origin, k.privateKey, 1_764_496_800);
      assert.deepEqual(noteSignedAt(note, k.verifierKey), new Date('2025-11-30T10:00:00Z'));
    });

    it('is unknown for a note signed before the log added the timestamped signature', () => {
      const k = key();
      assert.equal(noteSignedAt(signNote(text, k.origin, k.privateKey), k.verifierKey), undefined);
    });

    it('is unknown for a note another key signed, or a timestamp that does not verify', () => {
      const k = key();
      const other = generateKeyPairSync('ed25519').privateKey;
      assert.equal(
        noteSignedAt(signTimestampedNote(text, k.origin, other, 1_764_496_800), k.verifierKey),
        undefined,
      );
      // The log's note signature, but the timestamped line of another key under the log's name and key id.
      const forged =
        signNote(text, k.origin, k.privateKey) + cosign(text, k.origin, other, 1_764_496_800) + '\n';
      assert.equal(noteSignedAt(forged, k.verifierKey), undefined);
    });
  });
});
