import { type AuditContent, canonicalJson } from './audit-chain';
import { ERASED_PERSON, isEmailActor } from './actor';
import { CARRIED_OVER, PERSONAL_DATA_FIELD, PERSONAL_KEYS } from './personal-data';

/** Top-level data fields a carried-over leaf leaves out: `email` is pseudonymised instead (see below). */
const LEFT_OUT: readonly string[] = PERSONAL_KEYS.filter((k) => k !== 'email');

/*
 * Events written before issue 16 named people by e-mail address and kept IP addresses in their data.
 * Their content stays as it was (the hash chain covers it), but their leaf in the public
 * transparency log must carry nothing personal: the leaf is stored with the event, made here.
 */

/** A person as the users table knows them, by their e-mail address in lower case. */
export interface LegacyPerson {
  id: string;
  role: string;
}

/**
 * E-mail addresses that are an organisation's published contact, not a person's: a provider's abuse
 * address (published in the register and its open data) and the register's own contact address.
 */
function isPublishedContact(event: AuditContent, path: readonly string[]): boolean {
  if (event.action === 'provider.created') return path[0] === 'abuseEmail';
  if (event.action === 'settings.changed') return event.subjectId === 'contactEmail';
  return false;
}

/**
 * The leaf entry of a carried-over event: its canonical JSON with every e-mail address of a person
 * (the actor, the subject, any string in the data) replaced by `<role>:<user id>`, or `person:erased`
 * when no user has that address; an IP address (`data.ip`), the names and address of an
 * application's signatory and AAN contact, and the text an auditor typed to find people
 * (`data.filter.door` of an export) left out, marked by `personalData: "carried-over"`.
 * Everything else is byte for byte the event's canonical JSON. Pure: same event and people, same bytes.
 */
export function legacyLeafEntry(event: AuditContent, people: ReadonlyMap<string, LegacyPerson>): string {
  const pseudonym = (address: string) => {
    const person = people.get(address.toLowerCase());
    return person ? `${person.role}:${person.id}` : ERASED_PERSON;
  };
  let dropped = false;
  const walk = (value: unknown, path: string[]): unknown => {
    if (typeof value === 'string')
      return isEmailActor(value) && !isPublishedContact(event, path) ? pseudonym(value) : value;
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, String(i)]));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        const at = [...path, key];
        const personal =
          (at.length === 1 && LEFT_OUT.includes(key)) ||
          (event.action === 'audit.exported' && ['filter.door', 'filter.actor'].includes(at.join('.')));
        if (personal) dropped = true;
        else out[key] = walk(v, at);
      }
      return out;
    }
    return value;
  };
  const data = walk(event.data, []) as Record<string, unknown>;
  if (dropped) data[PERSONAL_DATA_FIELD] = CARRIED_OVER;
  return canonicalJson({
    ...event,
    actor: isEmailActor(event.actor) ? pseudonym(event.actor) : event.actor,
    subjectId: isEmailActor(event.subjectId) ? pseudonym(event.subjectId) : event.subjectId,
    data,
  });
}

/** A pseudonym `legacyLeafEntry` writes, as a JSON string: `"<role>:<user id>"`. */
const PSEUDONYM = /"(?:provider|reviewer|auditor|admin):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g;

/**
 * Whether `entry`, the stored leaf of a carried-over event, is that event's `legacyLeafEntry`. The
 * people behind the pseudonyms cannot be asked again (an erased user, a role changed since), so
 * every pseudonym counts as `person:erased` on both sides: everything else must be byte for byte.
 */
export function carriedOverEntryAgrees(entry: string, event: AuditContent): boolean {
  const unnamed = (json: string) => json.replace(PSEUDONYM, JSON.stringify(ERASED_PERSON));
  return unnamed(entry) === unnamed(legacyLeafEntry(event, new Map()));
}
