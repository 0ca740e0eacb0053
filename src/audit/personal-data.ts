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

/** What the check of a side row says: its digest is the one in the event, or not. */
export type PersonalDataCheck = 'intact' | 'altered' | 'erased' | 'none';

/**
 * Checks an event's side row against the digest the event carries: `none` when the event has no
 * personal details, `erased` when the row is gone, `altered` when the row does not give the digest.
 */
export function checkPersonalData(
  eventData: Record<string, unknown>,
  row: { data: Record<string, unknown>; salt: Uint8Array } | undefined,
): PersonalDataCheck {
  const digest = eventData[PERSONAL_DATA_FIELD];
  if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) return row ? 'altered' : 'none';
  if (!row) return 'erased';
  return personalDataDigest(row.salt, row.data) === digest ? 'intact' : 'altered';
}
