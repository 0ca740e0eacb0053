/*
 * Who an audit event names as its actor. An event's header is public (its leaf in the transparency
 * log shows it as it is), so a person is named by role and user id, never by e-mail address: the id →
 * person mapping lives in the users table, where it can be erased. Systems keep their own names
 * (`jobs:daily`, `cli:aan:import`, `seed:demo`, `anonymous`).
 */

/** The roles a person acts in (the same as the users table's roles). */
const PERSON_ROLES = ['provider', 'reviewer', 'auditor', 'admin', 'buyer', 'signal_supplier'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The actor of a carried-over event whose e-mail address belongs to no user any more. */
export const ERASED_PERSON = 'person:erased';

/** The actor for a person: `reviewer:2f1c…`. */
export function actorOf(user: { id: string; role: PersonRole }): string {
  return `${user.role}:${user.id}`;
}

/** The role and user id of a person's actor; undefined for a system actor or an old e-mail actor. */
export function personOfActor(actor: string): { role: PersonRole; id: string } | undefined {
  const colon = actor.indexOf(':');
  const role = actor.slice(0, colon);
  const id = actor.slice(colon + 1);
  if (colon < 0 || !(PERSON_ROLES as readonly string[]).includes(role) || !UUID.test(id)) return undefined;
  return { role: role as PersonRole, id };
}

/** An e-mail address as events written before issue 16 named people: `someone@example.nl`. */
export function isEmailActor(actor: string): boolean {
  return /^[^\s@:]+@[^\s@]+$/.test(actor);
}
