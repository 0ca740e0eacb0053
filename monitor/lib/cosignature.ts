/**
 * Cosignatures (C2SP tlog-cosignature v1, Ed25519): a witness's statement that, at a given time, the checkpoint
 * with this body is the largest consistent tree it has seen of the log. A cosignature is a signed-note signature
 * line "— <witness name> base64(key ID || timestamp || signature)": a 4-byte key ID, the time as 8 bytes
 * big-endian (POSIX seconds) and a 64-byte Ed25519 signature over
 *
 *     cosignature/v1
 *     time <seconds>
 *     <the checkpoint body: origin, size, root and any extension lines>
 *
 * Witness verifier keys are written "<name>+<key ID hex>+base64(0x04 || key)".
 *
 * The log itself signs each checkpoint twice with its own key, under its own name: the plain signed-note
 * signature (type 0x01) and a cosignature of this kind (type 0x04, its own key ID) whose time is the signing
 * time (tlog-checkpoint lets a log sign with a cosignature). So a checkpoint carries a time the log signed, and
 * a log that did not grow still makes a new note each day. The 0x04 key needs no publication of its own: it is
 * the same name and public key as the log's note verifier key (`logTimestampKey`). The two messages cannot be
 * confused: a cosigned message starts with "cosignature/v1", a note the log signs with its origin.
 */
import { createHash, type KeyObject, sign, verify } from 'node:crypto';
import { decodeBase64 } from './encoding';
import {
  checkText,
  ed25519PublicKey,
  isKeyName,
  type NoteError,
  openNote,
  parseVerifierKey,
  rawPublicKey,
  signNote,
} from './note';

/** The signature type of an Ed25519 cosignature (timestamped, v1): in the key ID and the verifier key. */
export const COSIGNATURE_ED25519 = 0x04;
const EM_DASH = '\u2014';
/** Key ID, timestamp, signature. */
const SIGNATURE_BYTES = 4 + 8 + 64;

/** Thrown when a cosignature or a witness key cannot be used; the message says why. */
export class CosignatureError extends Error {
  override name = 'CosignatureError';
}

/** A cosignature line, read. */
export interface Cosignature {
  /** The witness's name (the key name of the line). */
  name: string;
  keyId: Buffer;
  /** When the witness cosigned, in POSIX seconds. */
  timestamp: number;
  signature: Buffer;
}

/** A witness's verifier key, read. */
export interface WitnessKey {
  name: string;
  keyId: Buffer;
  /** The 32 raw bytes of the Ed25519 public key. */
  publicKey: Buffer;
}

/** The key ID of an Ed25519 cosigner: the first 4 bytes of SHA-256(name || 0x0A || 0x04 || public key). */
export function cosignerKeyId(name: string, publicKey: Uint8Array): Buffer {
  return createHash('sha256')
    .update(`${name}\n`, 'utf8')
    .update(Uint8Array.of(COSIGNATURE_ED25519))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** The witness verifier key "name+xxxxxxxx+base64(0x04 || public key)". */
export function witnessVerifierKey(name: string, publicKey: Uint8Array): string {
  if (!isKeyName(name)) throw new CosignatureError(`not a usable witness name: ${JSON.stringify(name)}`);
  if (publicKey.length !== 32)
    throw new CosignatureError(`an Ed25519 public key is 32 bytes, not ${publicKey.length}`);
  const encoded = Buffer.concat([Uint8Array.of(COSIGNATURE_ED25519), publicKey]).toString('base64');
  return `${name}+${cosignerKeyId(name, publicKey).toString('hex')}+${encoded}`;
}

/** Reads a witness verifier key; throws CosignatureError on anything malformed, another type or a wrong key ID. */
export function parseWitnessKey(vkey: string): WitnessKey {
  const match = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(vkey);
  if (match === null) throw new CosignatureError('a witness key is <name>+<key ID>+<key>');
  const [, name, id, key] = match as unknown as [string, string, string, string];
  if (!isKeyName(name)) throw new CosignatureError('the witness key has no usable name');
  if (!/^[0-9a-f]{8}$/.test(id))
    throw new CosignatureError('the key ID of a witness key is 8 hexadecimal digits');
  const bytes = decodeBase64(key);
  if (bytes === undefined) throw new CosignatureError('the key of a witness key is not base64');
  if (bytes.length !== 33 || bytes[0] !== COSIGNATURE_ED25519) {
    throw new CosignatureError(
      'the witness key is not an Ed25519 cosignature key (type 0x04: <name>+<key ID>+base64(0x04 || key))',
    );
  }
  const publicKey = bytes.subarray(1);
  const computed = cosignerKeyId(name, publicKey);
  if (computed.toString('hex') !== id)
    throw new CosignatureError('the key ID of the witness key does not match its key');
  return { name, keyId: computed, publicKey };
}

function checkTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new CosignatureError(`a cosignature time is a whole number of seconds from 0, not ${timestamp}`);
}

function checkBody(body: string): void {
  try {
    checkText(body);
  } catch (error) {
    throw new CosignatureError(`not a checkpoint body: ${(error as NoteError).message}`);
  }
}

/** The message an Ed25519 v1 cosignature signs: the header line, the time line, the checkpoint body. */
export function cosignedMessage(body: string, timestamp: number): Buffer {
  checkTimestamp(timestamp);
  checkBody(body);
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${body}`, 'utf8');
}

/**
 * Cosigns the checkpoint whose note text is `body` at `timestamp` (POSIX seconds) as witness `name`: the
 * signature line, without its newline.
 */
export function cosign(body: string, name: string, privateKey: KeyObject, timestamp: number): string {
  if (!isKeyName(name)) throw new CosignatureError(`not a usable witness name: ${JSON.stringify(name)}`);
  let publicKey: Buffer;
  try {
    publicKey = rawPublicKey(privateKey);
  } catch (error) {
    throw new CosignatureError((error as NoteError).message);
  }
  const message = cosignedMessage(body, timestamp);
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(timestamp));
  const signature = sign(null, message, privateKey);
  const bytes = Buffer.concat([cosignerKeyId(name, publicKey), time, signature]);
  return `${EM_DASH} ${name} ${bytes.toString('base64')}`;
}

/** Reads a cosignature line (a trailing newline is allowed); throws CosignatureError when it is not one. */
export function parseCosignature(line: string): Cosignature {
  const match = /^\u2014 ([^ \n]+) ([^ \n]+)\n?$/u.exec(line);
  if (match === null) throw new CosignatureError('not a signature line: "— <name> <base64>"');
  const [, name, encoded] = match as unknown as [string, string, string];
  if (!isKeyName(name)) throw new CosignatureError('the signature line has no usable name');
  const bytes = decodeBase64(encoded);
  if (bytes === undefined) throw new CosignatureError('the signature is not base64');
  if (bytes.length !== SIGNATURE_BYTES) {
    throw new CosignatureError(
      `an Ed25519 cosignature is ${SIGNATURE_BYTES} bytes (key ID, time, signature), not ${bytes.length}`,
    );
  }
  const timestamp = bytes.readBigUInt64BE(4);
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER))
    throw new CosignatureError(`the cosignature time ${timestamp} is beyond any usable date`);
  return {
    name,
    keyId: bytes.subarray(0, 4),
    timestamp: Number(timestamp),
    signature: bytes.subarray(12),
  };
}

/**
 * Checks that `cosignature` is witness `vkey`'s cosignature of the checkpoint whose note text is `body`;
 * throws CosignatureError saying what does not match.
 */
export function verifyCosignature(body: string, cosignature: Cosignature, vkey: WitnessKey): void {
  if (cosignature.name !== vkey.name || !cosignature.keyId.equals(vkey.keyId))
    throw new CosignatureError(`the cosignature is not by the witness ${vkey.name}`);
  const message = cosignedMessage(body, cosignature.timestamp);
  if (!verify(null, message, ed25519PublicKey(vkey.publicKey), cosignature.signature))
    throw new CosignatureError(`the cosignature by ${vkey.name} does not verify`);
}

/** The log's timestamp key: the name and Ed25519 public key of its note verifier key `vkey` (type 0x01), as type 0x04. */
export function logTimestampKey(vkey: string): WitnessKey {
  const { name, publicKey } = parseVerifierKey(vkey);
  return { name, keyId: cosignerKeyId(name, publicKey), publicKey };
}

/** The verifier key "name+xxxxxxxx+base64(0x04 || key)" of the log's timestamped signatures, from its note verifier key. */
export function logTimestampVerifierKey(vkey: string): string {
  const { name, publicKey } = parseVerifierKey(vkey);
  return witnessVerifierKey(name, publicKey);
}

/**
 * Signs a checkpoint's note text `text` as the log `name`: the note with two signature lines, the Ed25519
 * note signature (0x01) and the log's own cosignature/v1 (0x04) at `timestamp` (POSIX seconds).
 */
export function signTimestampedNote(
  text: string,
  name: string,
  privateKey: KeyObject,
  timestamp: number,
): string {
  return `${signNote(text, name, privateKey)}${cosign(text, name, privateKey, timestamp)}\n`;
}

/**
 * Opens a checkpoint note signed by the log key `vkey` (openNote: throws NoteError) and reads the time the log
 * signed it, from its timestamped signature (0x04, same name and key), verified: `timestamp` in POSIX seconds,
 * or undefined for a note without one (signed before the log added it). Throws CosignatureError when that line
 * is there but malformed, does not verify, or is there twice.
 */
export function openTimestampedNote(note: string, vkey: string): { text: string; timestamp?: number } {
  const { text, signatures } = openNote(note, [vkey]);
  const key = logTimestampKey(vkey);
  const own = signatures.filter((s) => s.name === key.name && s.keyId.equals(key.keyId));
  if (own.length === 0) return { text };
  if (own.length > 1)
    throw new CosignatureError(`the note carries ${own.length} timestamped signatures by ${key.name}`);
  const [line] = own as [{ name: string; keyId: Buffer; signature: Buffer }];
  const cosignature = parseCosignature(
    `${EM_DASH} ${line.name} ${Buffer.concat([line.keyId, line.signature]).toString('base64')}`,
  );
  try {
    verifyCosignature(text, cosignature, key);
  } catch (error) {
    if (!(error instanceof CosignatureError)) throw error;
    throw new CosignatureError(`the timestamped signature by ${key.name} does not verify`);
  }
  return { text, timestamp: cosignature.timestamp };
}
