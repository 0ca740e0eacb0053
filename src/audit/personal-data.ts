import { createHash, randomBytes } from 'node:crypto';
import canonicalize from 'canonicalize';

/*
 * Personal details an auditor still needs (the IP address of a security event, the address an
 * invitation went to) are kept beside the public log, in `audit_personal_data`, never in the event:
 * the event carries only `personalData`, a salted SHA-256 of them, so that an auditor can check the
 * side data was not altered while it exists, and erasing the row leaves nothing personal behind.
 */

/** The field of an event's data that holds the digest of its personal details. */
export const PERSONAL_DATA_FIELD = 'personalData';

/**
 * Keys of event data that hold a person's details: an IP address, an e-mail address, a name. An
 * event never carries them: they go beside the log.
 */
export const PERSONAL_KEYS = ['ip', 'email', 'signatoryName', 'aanContactName', 'aanContactEmail'] as const;

/**
 * Bytes of random salt per digest (a side row's, a leaf's): without it a digest of an IP address or
 * of small event data could be found by trying them all.
 */
export const SALT_BYTES = 16;

export function newSalt(): Buffer {
  return randomBytes(SALT_BYTES);
}

/** SHA-256 over the salt and the canonical JSON (RFC 8785) of the details, as lowercase hex. */
export function personalDataDigest(salt: Uint8Array, data: Record<string, unknown>): string {
  const json = canonicalize(data);
  if (json === undefined) throw new Error('personal data cannot be canonicalised');
  return createHash('sha256').update(salt).update(json, 'utf8').digest('hex');
}

/** A text as a regular expression (the same in JavaScript and PostgreSQL) that matches it literally. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A regular expression (JavaScript's and PostgreSQL's, case-insensitive) that finds `email` in any
 * text, such as a side row's JSON: in a field of its own or inside a refused request's raw path
 * (`/account/jan@x.example/wachtwoord`), also with its `@` percent-encoded (`%40`). Not inside a
 * longer address (`jan@x.example` is not in `pjan@x.example` nor in `jan@x.example.org`).
 */
export function addressPattern(email: string): string {
  const at = email.lastIndexOf('@');
  return (
    '(?<![a-z0-9._%+-])' +
    literal(email.slice(0, at)) +
    '(@|%40)' +
    literal(email.slice(at + 1)) +
    '(?![a-z0-9-]|\\.[a-z0-9])'
  );
}

/** What the check of a side row says: its digest is the one in the event, or not; gone lawfully, or not. */
export type PersonalDataCheck = 'intact' | 'altered' | 'erased' | 'missing' | 'none';

/** The checks that are a problem: the side row was changed, or deleted without an erasure. */
export const PERSONAL_DATA_PROBLEMS: readonly PersonalDataCheck[] = ['altered', 'missing'];

/**
 * Checks an event's side row against the digest the event carries: `none` when the event has no
 * personal details, `altered` when the row does not give the digest; when the row is gone,
 * `erased` if a later `personal_data.erased` event names the event, else `missing`: an
 * insider's DELETE must not look like a lawful erasure.
 */
export function checkPersonalData(
  eventData: Record<string, unknown>,
  row: { data: Record<string, unknown>; salt: Uint8Array } | undefined,
  erased: boolean,
): PersonalDataCheck {
  const digest = eventData[PERSONAL_DATA_FIELD];
  if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) return row ? 'altered' : 'none';
  if (!row) return erased ? 'erased' : 'missing';
  return personalDataDigest(row.salt, row.data) === digest ? 'intact' : 'altered';
}
