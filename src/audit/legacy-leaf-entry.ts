import type { AuditContent } from './audit-chain';
import { ERASED_PERSON, isEmailActor } from './actor';
import { actorRole, dataDigest, hidesPerson, leafJson, publicData } from './leaf-entry';

/*
 * Events written before issue 16 named people by e-mail address (as actor, as subject). Their
 * content stays as it was (the hash chain covers it), but their leaf in the public transparency
 * log names nobody: it is made here once, when the log is carried over, and stored with the event
 * (merkle_leaves.entry), so that the pseudonyms stay what the users table said at that moment.
 */

/** A person as the users table knows them, by their e-mail address in lower case. */
export interface LegacyPerson {
  id: string;
  role: string;
}

/**
 * The leaf entry of a carried-over event with this salt: `leafEntry`'s format (header, public data
 * fields only, `dataDigest` over the event's ORIGINAL actor, subject and data), with every e-mail
 * address in the actor, the subject or a public data field replaced by `<role>:<user id>`, or
 * `person:erased` when no user has that address; for an account action (`hidesPerson`) the actor
 * is the role only (`person` when no user has the address) and the subject `''`, as `leafEntry`
 * makes them. Pure: the same event, salt and people give the same bytes.
 */
export function legacyLeafEntry(
  event: AuditContent,
  salt: Uint8Array,
  people: ReadonlyMap<string, LegacyPerson>,
): string {
  const named = (value: unknown): unknown => {
    if (typeof value !== 'string' || !isEmailActor(value)) return value;
    const person = people.get(value.toLowerCase());
    return person ? `${person.role}:${person.id}` : ERASED_PERSON;
  };
  const data = Object.fromEntries(
    Object.entries(publicData(event.action, event.data)).map(([k, v]) => [k, named(v)]),
  );
  const actor = named(event.actor) as string;
  const header = hidesPerson(event.action)
    ? { ...event, actor: actorRole(actor), subjectId: '' }
    : { ...event, actor, subjectId: named(event.subjectId) as string };
  return leafJson(header, data, dataDigest(salt, event));
}

/** A pseudonym `legacyLeafEntry` writes, as a JSON string: `"<role>:<user id>"`. */
const PSEUDONYM =
  /"(?:provider|reviewer|auditor|admin):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g;
/**
 * The role `legacyLeafEntry` writes as an account action's actor, at its one place in canonical
 * JSON (keys sorted: `action` first, `actor` second).
 */
const ROLE_ACTOR = /^(\{"action":"[^"\\]*","actor":)"(?:provider|reviewer|auditor|admin)",/;

/**
 * Whether `entry`, the stored leaf of a carried-over event, is that event's `legacyLeafEntry` with
 * the stored salt: the same header, public fields and digest (recomputed over the event's data as
 * it is now). The people behind the pseudonyms cannot be asked again (an erased user, a role
 * changed since), so every pseudonym counts as `person:erased` on both sides, and an account
 * action's actor role as `person`: everything else must be byte for byte (the digest binds the
 * event's own actor and subject).
 */
export function carriedOverEntryAgrees(entry: string, event: AuditContent, salt: Uint8Array): boolean {
  const unnamed = (json: string) =>
    json.replace(PSEUDONYM, JSON.stringify(ERASED_PERSON)).replace(ROLE_ACTOR, '$1"person",');
  return unnamed(entry) === unnamed(legacyLeafEntry(event, salt, new Map()));
}
