import canonicalize from 'canonicalize';
import type { AuditContent } from './audit-chain';
import { personalDataDigest } from './personal-data';

/*
 * The leaf of an audit event in the PUBLIC transparency log. Event data carries text people type or
 * send (a request path, a registration's names and address, a reviewer's message, a file name, a
 * setting's value), and a leaf can never be erased: so a leaf publishes the event's header, only the
 * data fields listed below, and a salted digest of the whole data. The digest binds every byte of
 * the event (an insider who rewrites its data finds no salt that gives the old digest); the salt,
 * 16 random bytes per leaf kept in merkle_leaves.salt, stops anyone guessing small data behind it.
 */

/**
 * The data fields a leaf publishes, per action, each with why. A field is here only when it is
 * already public (the register's pages, open data, the API or a verification answer), is never
 * text a person types and is never personal. Every other field, of every other action, stays
 * behind the digest.
 */
const STATUS_FIELDS = {
  statusEventId: "public as the status change's volgnummer (API); a serial number the database gives",
  effectiveAt: 'public as ingangsmoment (register page, API); an instant the register sets',
  validUntil: 'public as geldigTot (register page, API, open data); computed by the register at approval',
  suspendedUntil: 'public as geschorstTot (register page, API); a date checked by the form, not free text',
  aanSince: 'public as aanDeelnameSinds (API); a date checked by the form, not free text',
  // Not public: reason (the reviewer's typed message), applicationId (an application is not
  // public), codeOfConductVersionId (the API names the version by its typed label, not its id),
  // codeSignedOn (the application's answer, not published).
} as const;

export const PUBLIC_DATA_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'attestation.issued': {
    number: 'the attestation number, printed on the PDF and the key of its verification answer',
    providerId: "the provider's id, in the API's links; the register's, not a person's",
    validUntil: 'shown in the verification answer; computed by the register',
    fingerprint: 'shown in the verification answer; a hash the register computes',
    pdfSha256: 'the SHA-256 of the PDF: `monitor check-proof` compares the PDF against it',
  },
  'status.application_submitted': STATUS_FIELDS,
  'status.application_withdrawn': STATUS_FIELDS,
  'status.application_rejected': STATUS_FIELDS,
  'status.listing_approved': STATUS_FIELDS,
  'status.suspended': STATUS_FIELDS,
  'status.suspension_lifted': STATUS_FIELDS,
  'status.revoked': STATUS_FIELDS,
  'status.aan_participation_ended': STATUS_FIELDS,
  'status.aan_participation_resumed': STATUS_FIELDS,
  'status.listing_expired': STATUS_FIELDS,
  'status.code_of_conduct_lapsed': STATUS_FIELDS,
  'code_of_conduct.published': {
    publishedAt: 'public on the code-of-conduct page; a date checked by the form, not free text',
    transitionEndsAt: 'public on the code-of-conduct page; a date checked by the form, not free text',
    // Not public: label and title (typed by an administrator), notifiedProviderIds and
    // unreachableProviderIds (whom the register could mail is not published).
  },
};

/** The data fields of `action` a leaf publishes (none for an action not in the table). */
export function publicFieldsOf(action: string): string[] {
  return Object.keys(PUBLIC_DATA_FIELDS[action] ?? {});
}

/** The data a leaf publishes: the event's fields the table lists for its action, as they are. */
export function publicData(action: string, data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of publicFieldsOf(action)) if (field in data) out[field] = data[field];
  return out;
}

/** SHA-256 over the salt and the UTF-8 canonical JSON (RFC 8785) of the event's whole data, lowercase hex. */
export function dataDigest(salt: Uint8Array, data: Record<string, unknown>): string {
  return personalDataDigest(salt, data);
}

/** The canonical JSON of a leaf with this header, public data and digest. */
export function leafJson(
  event: Omit<AuditContent, 'data'>,
  data: Record<string, unknown>,
  digest: string,
): string {
  const json = canonicalize({
    id: event.id,
    occurredAt: event.occurredAt.toISOString(),
    actor: event.actor,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    data,
    dataDigest: digest,
  });
  if (json === undefined) throw new Error('a leaf entry cannot be canonicalised');
  return json;
}

/**
 * The leaf entry of an event with this salt: the canonical JSON (RFC 8785) of its header (id,
 * occurredAt, actor, action, subjectType, subjectId), `data` with only its public fields (see
 * PUBLIC_DATA_FIELDS) and `dataDigest`. Pure: the same event and salt give the same bytes.
 */
export function leafEntry(event: AuditContent, salt: Uint8Array): string {
  return leafJson(event, publicData(event.action, event.data), dataDigest(salt, event.data));
}
