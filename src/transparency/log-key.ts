import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { logTimestampVerifierKey, openTimestampedNote } from '../../monitor/lib/cosignature';
import { verifierKey } from '../../monitor/lib/note';
import { SettingError } from '../shared/errors';
import { must } from '../shared/must';

/** The transparency log's signing key: its own Ed25519 key, not the PDF signing key. */
export interface LogKey {
  /** The log's origin, which is also the key's name in signed notes. */
  origin: string;
  privateKey: KeyObject;
  /** The raw 32-byte Ed25519 public key. */
  publicKey: Buffer;
  /** The verifier key (C2SP signed-note): `origin+keyid+base64(0x01 || public key)`. */
  verifierKey: string;
  /**
   * The verifier key of the log's timestamped signatures (C2SP tlog-cosignature, type 0x04): the same name
   * and public key, so anyone can derive it from `verifierKey`; published beside it.
   */
  timestampKey: string;
}

/** The file a development log key is kept in, under the data folder. */
export const DEVELOPMENT_LOG_KEY = 'log-signing-development.pem';

/** Reads an Ed25519 private key from PKCS#8 PEM; throws a SettingError naming `source` for anything else. */
function ed25519Key(pem: Buffer, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new SettingError(`${source}: not a PKCS#8 PEM private key (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SettingError(
      `${source}: the key is ${String(key.asymmetricKeyType)}, an Ed25519 key is needed`,
    );
  }
  return key;
}

/** Makes the development key once under `directory` (readable by its owner only) and answers its PEM. */
function developmentKeyPem(directory: string): Buffer {
  const file = path.join(directory, DEVELOPMENT_LOG_KEY);
  if (existsSync(file)) return readFileSync(file);
  mkdirSync(directory, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
  // 'wx': two starts at once must not each make a key; the second reads the first's.
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(file);
}

/**
 * The log key: the PKCS#8 PEM file LOG_SIGNING_KEY_FILE names, or outside production (where the
 * configuration requires the file) a key made once under the data folder.
 */
export function loadLogKey(config: {
  logSigningKeyFile: string | undefined;
  logOrigin: string;
  dataDir: string;
}): LogKey {
  let privateKey: KeyObject;
  if (config.logSigningKeyFile) {
    const file = config.logSigningKeyFile;
    let pem: Buffer;
    try {
      pem = readFileSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new SettingError(
        `LOG_SIGNING_KEY_FILE: ${code === 'ENOENT' ? 'there is no file' : `cannot read the file (${code ?? String(error)})`} at ${file}`,
        { cause: error },
      );
    }
    privateKey = ed25519Key(pem, `LOG_SIGNING_KEY_FILE (${file})`);
  } else {
    privateKey = ed25519Key(
      developmentKeyPem(config.dataDir),
      `the development log key in ${config.dataDir}`,
    );
  }
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = Buffer.from(must(jwk.x, 'the JWK of an Ed25519 public key has x'), 'base64url');
  const vkey = verifierKey(config.logOrigin, publicKey);
  return {
    origin: config.logOrigin,
    privateKey,
    publicKey,
    verifierKey: vkey,
    timestampKey: logTimestampVerifierKey(vkey),
  };
}

/**
 * The time the log signed `note`, from its timestamped signature (verified with the log key), or
 * undefined when the note has none (signed before the log added it) or it does not verify.
 */
export function noteSignedAt(note: string, verifierKey: string): Date | undefined {
  try {
    const { timestamp } = openTimestampedNote(note, verifierKey);
    return timestamp === undefined ? undefined : new Date(timestamp * 1000);
  } catch {
    return undefined;
  }
}
