/**
 * Signed notes (C2SP signed-note) with Ed25519 signatures (type 0x01): text, a blank line, and signature lines
 * "— <key name> base64(key ID || signature)". Verifier keys are written "<name>+<key ID hex>+base64(0x01 || key)".
 */
import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { decodeBase64 } from './encoding';

const ED25519 = 0x01;
const EM_DASH = '\u2014';
/** The signed-note spec asks verifiers for a limit, of at least 16 signatures. */
const MAX_SIGNATURES = 100;
/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the 32 raw key bytes follow it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Thrown when a note cannot be trusted: malformed, or no valid signature by a given key. */
export class NoteError extends Error {
  override name = 'NoteError';
}

/** A key name is non-empty and holds no Unicode space and no plus. */
export function isKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !hasControl(name);
}

/** Any ASCII control character other than newline. */
function hasControl(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0009\u000b-\u001f]/.test(text);
}

/** The key ID: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key). */
export function keyId(name: string, publicKey: Uint8Array): Buffer {
  return createHash('sha256')
    .update(`${name}\n`, 'utf8')
    .update(Uint8Array.of(ED25519))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** The verifier key "name+xxxxxxxx+base64(0x01 || public key)" of an Ed25519 key. */
export function verifierKey(name: string, publicKey: Uint8Array): string {
  if (!isKeyName(name)) throw new NoteError(`not a usable key name: ${JSON.stringify(name)}`);
  if (publicKey.length !== 32)
    throw new NoteError(`an Ed25519 public key is 32 bytes, not ${publicKey.length}`);
  const encoded = Buffer.concat([Uint8Array.of(ED25519), publicKey]).toString('base64');
  return `${name}+${keyId(name, publicKey).toString('hex')}+${encoded}`;
}

/** Reads a verifier key; throws NoteError on anything malformed, another algorithm or a key ID that does not match. */
export function parseVerifierKey(vkey: string): { name: string; keyId: Buffer; publicKey: Buffer } {
  // The name holds no plus, so the first two are the separators; the base64 key may hold more.
  const match = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(vkey);
  if (match === null) throw new NoteError('a verifier key is <name>+<key ID>+<key>');
  const [, name, id, key] = match as unknown as [string, string, string, string];
  if (!isKeyName(name)) throw new NoteError('the verifier key has no usable name');
  if (!/^[0-9a-f]{8}$/.test(id)) throw new NoteError('the key ID of a verifier key is 8 hexadecimal digits');
  const bytes = decodeBase64(key);
  if (bytes === undefined) throw new NoteError('the key of a verifier key is not base64');
  if (bytes.length !== 33 || bytes[0] !== ED25519)
    throw new NoteError('the verifier key is not an Ed25519 key');
  const publicKey = bytes.subarray(1);
  const computed = keyId(name, publicKey);
  if (computed.toString('hex') !== id)
    throw new NoteError('the key ID of the verifier key does not match its key');
  return { name, keyId: computed, publicKey };
}

/** The Ed25519 public key of 32 raw bytes, as Node's crypto takes it. */
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The 32 raw bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new NoteError('the key is not an Ed25519 key');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return der.subarray(SPKI_PREFIX.length);
}

/** Throws NoteError unless `text` can be a note text: valid Unicode, ending in a newline, no control characters. */
export function checkText(text: string): void {
  if (!text.endsWith('\n')) throw new NoteError('the note text must end in a newline');
  if (hasControl(text)) throw new NoteError('the note holds a control character');
  if (Buffer.from(text, 'utf8').toString('utf8') !== text)
    throw new NoteError('the note is not valid Unicode');
}

/** Signs `text` (which ends in a newline) with the Ed25519 private key named `name`: the whole signed note. */
export function signNote(text: string, name: string, privateKey: KeyObject): string {
  checkText(text);
  if (!isKeyName(name)) throw new NoteError(`not a usable key name: ${JSON.stringify(name)}`);
  const id = keyId(name, rawPublicKey(privateKey));
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
  return `${text}\n${EM_DASH} ${name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
}

/**
 * Opens a signed note: its text, once at least one signature by one of `vkeys` verifies. Signatures by other
 * keys are kept (a witness's cosignature, a next key) but not trusted; a signature by a given key that does not
 * verify makes the whole note refused.
 */
export function openNote(
  note: string,
  vkeys: readonly string[],
): { text: string; signatures: { name: string; keyId: Buffer; signature: Buffer }[] } {
  checkText(note);
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('the note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES)
    throw new NoteError(`the note has more than ${MAX_SIGNATURES} signatures`);
  const keys = vkeys.map(parseVerifierKey);
  const signatures: { name: string; keyId: Buffer; signature: Buffer }[] = [];
  let verified = 0;
  for (const line of lines) {
    const match = /^\u2014 ([^ ]+) ([^ ]+)$/u.exec(line);
    if (match === null) throw new NoteError(`not a signature line: ${JSON.stringify(line)}`);
    const [, name, encoded] = match as unknown as [string, string, string];
    const bytes = decodeBase64(encoded);
    if (!isKeyName(name) || bytes === undefined || bytes.length < 5) {
      throw new NoteError(`a malformed signature line: ${JSON.stringify(line)}`);
    }
    const id = bytes.subarray(0, 4);
    const signature = bytes.subarray(4);
    signatures.push({ name, keyId: id, signature });
    for (const key of keys.filter((k) => k.name === name && k.keyId.equals(id))) {
      const publicKey = ed25519PublicKey(key.publicKey);
      if (signature.length !== 64 || !verify(null, Buffer.from(text, 'utf8'), publicKey, signature)) {
        throw new NoteError(`the signature by ${name} does not verify`);
      }
      verified++;
    }
  }
  if (verified === 0) throw new NoteError('the note has no signature by a known key');
  return { text, signatures };
}
