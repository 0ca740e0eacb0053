import canonicalize from 'canonicalize';
import { ERASED_PERSON, isEmailActor, personOfActor } from './actor';
import type { AuditContent } from './audit-chain';
import { personalDataDigest } from './personal-data';
import { must } from '../shared/must';

/*
 * The leaf of an audit event in the PUBLIC transparency log. Event data carries text people type or
 * send (a request path, a registration's names and address, a reviewer's message, a file name, a
 * setting's value), and a leaf can never be erased: so a leaf publishes the event's header, only the
 * data fields listed below, and a salted digest of the whole data. The digest binds every byte of
 * the event (an insider who rewrites its data finds no salt that gives the old digest); the salt,
 * 16 random bytes per leaf kept in merkle_leaves.salt, stops anyone guessing small data behind it.
 *
 * The header is public too, and a user id with times links one person's activity (their logins,
 * their failed logins, their invitations) even after their erasure: for a one-man business the id
 * is the person. So the leaf of an action about a person's account (ACCOUNT_ACTIONS) publishes its
 * actor as a role only and no subject, and the digest covers the hidden header as well.
 */

/**
 * Actions whose actor or subject is a person's account (or a person's own activity) rather than a
 * register record, each group with why. Their leaf publishes the actor's role only (`provider`,
 * `anonymous`, `system`, …) and subjectId `''`. An action in neither this table nor
 * REGISTER_ACTIONS counts as one of these: a new action publishes no one until it is classified.
 */
export const ACCOUNT_ACTIONS: Readonly<Record<string, string>> = {
  'user.':
    "about a person's account: created, signed in, password and second factor; the subject is the user",
  'security.':
    'an attack on an account or a request refused: the subject is the targeted account, the actor whoever sent it',
  'invitation.': "an invitation to a person's address: who invited whom, and when",
  'staff.': "a staff member's role or access changed: the subject is their account",
  'personal_data.': "a person's details erased: the subject is their account",
  'audit.': "an auditor's export or check of the audit log: what a person did when, not a register change",
  'attestation.downloaded': 'who fetched an attestation when: a visit, not a register change',
  'evidence.downloaded': 'which reviewer opened which evidence when: a visit, not a register change',
  'provider.dossier_exported': "who exported a provider's dossier when: a visit, not a register change",
  'evidence.extract_downloaded':
    'which member of staff opened which KvK extract when: a visit, not a register change',
  'provider.handed_over':
    "people's access to an organisation: whose accounts were disabled and who took over (an eHerkenning login or a claimant)",
  'claim.':
    "a person's claim to an organisation: the claimant's address confirmed, a reviewer's decision about them",
  'buyer.':
    "a buyer's (inkoper's) account disabled or enabled by an administrator: the subject is their account",
  'buyer_organisation.':
    'a buyer organisation found by the domain of a person registering, or renamed: who buys is not a register record',
  'watch_list.':
    "a buyer's watch list and its entries: which suppliers a government organisation watches is not published",
  'webhook_subscription.':
    "a buyer organisation's webhook subscription made, disabled, turned on or removed: its own settings, which say what it watches, not a register record",
  'api_key.':
    "an organisation's API key (a buyer organisation's or a signal supplier's) made or revoked: who gave access to the organisation, not a register record",
  'signal_supplier.':
    "a signal supplier organisation or its people (issue 19): who sends the police's signals is not published",
  'signal.':
    'a reseller signal sent, read or withdrawn (issue 19): signals are confidential, so not even that one exists is published',
  'signal_match.':
    "a signal's match with a provider's declared reseller, its answer or its reminder (issue 19): which provider had a match is confidential",
  'reseller.': "a provider's declared resellers (issue 19): its customers, confidential to it",
};

/**
 * Actions about a register record (a provider, an application, its evidence, a status, an
 * attestation, a code of conduct, the AAN list, a review task, a setting), each group with why
 * its header may be public: the record is the register's, and the actor acted for it.
 */
export const REGISTER_ACTIONS: Readonly<Record<string, string>> = {
  'provider.created': "a provider's registration: the subject is the provider, public in the register",
  'provider.identity_confirmed': "a reviewer confirmed a provider's identity: the subject is the provider",
  'application.': "an application's steps: the subject is the application, a register record",
  'evidence.uploaded': 'evidence added to an application: the subject is the evidence record',
  'evidence.deleted': 'evidence removed from an application: the subject is the evidence record',
  'status.': "a provider's status change: public in the register's status history",
  'attestation.issued': 'an attestation issued: public through its verification answer',
  'code_of_conduct.': 'a code of conduct version: public on the code-of-conduct page',
  'aan.': "an import of the AAN participants' list: a register record",
  'review_task.': "a reviewer's task: a register record",
  'settings.changed': "a register setting changed: the subject is the setting's name",
};

/**
 * Actions whose very kind is confidential (issue 19): that a signal was sent, read or withdrawn,
 * that one matched, that a provider answered or declared resellers. A public leaf naming the action
 * (even without actor or subject) would tell a signal supplier, who knows when it sent a signal,
 * whether any provider matched it. Their leaves publish only the id, the time and the word
 * `confidential` for actor, action and subject type; the digest binds the whole event. What remains
 * public is that confidential events happen, and when.
 */
export const CONFIDENTIAL_ACTION_PREFIXES: readonly string[] = [
  'signal_supplier.',
  'signal.',
  'signal_match.',
  'reseller.',
];
const CONFIDENTIAL = 'confidential';

/** Whether a leaf of `action` hides even the action (see CONFIDENTIAL_ACTION_PREFIXES). */
export function isConfidential(action: string): boolean {
  return CONFIDENTIAL_ACTION_PREFIXES.some((prefix) => action.startsWith(prefix));
}

/**
 * The data field that makes an event's leaf confidential whatever its action: `true` when the event
 * was written so. It is recorded with the event (the chain hash and the leaf's digest cover it)
 * because a leaf is made again from its stored event whenever a tile or proof is served: a rule
 * that changed the leaf of events already in the log would change published leaf hashes and break
 * the log's consistency and inclusion proofs. So a new rule about which leaves are confidential
 * applies to events written from then on, and events written before keep their leaf byte for byte.
 */
export const CONFIDENTIAL_LEAF_FIELD = 'confidentialLeaf';

/**
 * Whether an event written now gets a confidential leaf although its action is not confidential:
 * when its actor is a signal supplier's person (their logins, second factor, API keys, invitations,
 * a refused request). Every other role is published by name, so any public word for theirs would
 * name the police, and tell when they are at work (the outside tries, F18: `person` was only ever a
 * signal supplier). As a confidential leaf a login is one leaf among the provider's declarations
 * and reads and the matching runs, all alike.
 */
export function writesConfidentialLeaf(entry: { actor: string; action: string }): boolean {
  return !isConfidential(entry.action) && personOfActor(entry.actor)?.role === 'signal_supplier';
}

/** Whether the leaf of this stored event hides even its action: by its action, or as it was written. */
function hasConfidentialLeaf(event: Pick<AuditContent, 'action' | 'data'>): boolean {
  return isConfidential(event.action) || event.data[CONFIDENTIAL_LEAF_FIELD] === true;
}

/**
 * The digest of a confidential event's leaf: as `dataDigest`, over its action and subject type as
 * well, which its leaf does not publish either.
 */
export function confidentialDigest(
  salt: Uint8Array,
  event: Pick<AuditContent, 'actor' | 'action' | 'subjectType' | 'subjectId' | 'data'>,
): string {
  return personalDataDigest(salt, {
    actor: event.actor,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    data: event.data,
  });
}

/** The entry of `table` for `action`: the action itself, or else its group (`user.`). */
function entryOf(table: Readonly<Record<string, string>>, action: string): string | undefined {
  return table[action] ?? table[action.slice(0, action.indexOf('.') + 1)];
}

/** Whether a leaf of `action` publishes its actor as a role only and no subject (see ACCOUNT_ACTIONS). */
export function hidesPerson(action: string): boolean {
  return entryOf(ACCOUNT_ACTIONS, action) !== undefined || entryOf(REGISTER_ACTIONS, action) === undefined;
}

/**
 * The role an actor acts in, as a leaf of an account action publishes it: a person's role
 * (`provider`, `reviewer`, `auditor`, `admin`), `person` for an e-mail address or an erased person
 * of a carried-over event, `anonymous`, or `system` for every other system (`jobs:daily`, `cli:…`).
 */
export function actorRole(actor: string): string {
  const person = personOfActor(actor);
  // A signal supplier's logins and keys would tell when the police are at work (issue 19): a person.
  // Events written since F18 have a confidential leaf instead (CONFIDENTIAL_LEAF_FIELD); this stays
  // for the leaves of those written before, which must not change.
  if (person?.role === 'signal_supplier') return 'person';
  if (person) return person.role;
  if (isEmailActor(actor) || actor === ERASED_PERSON) return 'person';
  return actor === 'anonymous' ? 'anonymous' : 'system';
}

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

/**
 * SHA-256 over the salt and the UTF-8 canonical JSON (RFC 8785) of `{actor, subjectId, data}`: the
 * event's actor and subject as the chain has them and its whole data, lowercase hex. The same for
 * every action: it binds what a leaf hides of the header (an account action's actor and subject) as
 * well as the data.
 */
export function dataDigest(
  salt: Uint8Array,
  event: Pick<AuditContent, 'actor' | 'subjectId' | 'data'>,
): string {
  return personalDataDigest(salt, { actor: event.actor, subjectId: event.subjectId, data: event.data });
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
  return must(json, 'canonicalize answers a string for an object');
}

/**
 * The leaf entry of an event with this salt: the canonical JSON (RFC 8785) of its header (id,
 * occurredAt, actor, action, subjectType, subjectId; for an account action the actor's role only
 * and subjectId `''`, see ACCOUNT_ACTIONS), `data` with only its public fields (see
 * PUBLIC_DATA_FIELDS) and `dataDigest`. Pure: the same event and salt give the same bytes.
 */
export function leafEntry(event: AuditContent, salt: Uint8Array): string {
  if (hasConfidentialLeaf(event)) {
    // Issue 19: not even which kind of event it was; the digest binds the whole hidden header.
    const header = {
      ...event,
      actor: CONFIDENTIAL,
      action: CONFIDENTIAL,
      subjectType: CONFIDENTIAL,
      subjectId: '',
    };
    return leafJson(header, {}, confidentialDigest(salt, event));
  }
  const header = hidesPerson(event.action)
    ? { ...event, actor: actorRole(event.actor), subjectId: '' }
    : event;
  return leafJson(header, publicData(event.action, event.data), dataDigest(salt, event));
}
