import type { EntityManager } from 'typeorm';
import { isEmailActor, personOfActor } from './actor';

/** What a page says for a person the users table no longer knows, in both languages (plain text params). */
export const ERASED_USER_TEXT = 'verwijderde gebruiker / erased user';

/**
 * The domain of the address an erased account is given (`erased-<user id>@erased.invalid`): `.invalid`
 * is reserved (RFC 2606), so no mail can ever reach it, and nobody can sign up or sign in with it.
 */
export const ERASED_EMAIL_DOMAIN = 'erased.invalid';

/** The address an account gets when its person is erased: unique (the id), never deliverable. */
export function erasedEmailOf(userId: string): string {
  return `erased-${userId}@${ERASED_EMAIL_DOMAIN}`;
}

/** Whether an account's address is that of an erased person. */
export function isErasedEmail(email: string): boolean {
  return email.endsWith(`@${ERASED_EMAIL_DOMAIN}`);
}

/** SQL: true when the users row `u` is an erased person (keeps its id, lost its name and address). */
export function erasedUserSql(u: string): string {
  return `(${u}.email LIKE '%@${ERASED_EMAIL_DOMAIN}')`;
}

/**
 * How a staff page names an actor: `name (e-mail address)` of the user behind `<role>:<user id>` or
 * an older e-mail actor, `ERASED_USER_TEXT` when that user is gone or erased, a system actor as written.
 */
export async function actorName(manager: EntityManager, actor: string): Promise<string> {
  const person = personOfActor(actor);
  if (!person && !isEmailActor(actor)) return actor;
  const [row] = await manager.query<{ name: string; email: string }[]>(
    `SELECT name, email FROM users WHERE ${person ? 'id = $1' : 'email = lower($1)'}`,
    [person ? person.id : actor],
  );
  return row && !isErasedEmail(row.email) ? `${row.name} (${row.email})` : ERASED_USER_TEXT;
}

/**
 * The e-mail addresses of the accounts behind these actors (`<role>:<user id>`), by actor; an actor
 * of a system, of an unknown or of an erased account is left out.
 */
export async function actorEmails(
  manager: EntityManager,
  actors: readonly string[],
): Promise<Map<string, string>> {
  const people = actors.flatMap((actor) => {
    const person = personOfActor(actor);
    return person ? [{ actor, id: person.id }] : [];
  });
  if (people.length === 0) return new Map();
  const rows = await manager.query<{ id: string; email: string }[]>(
    `SELECT u.id::text AS id, u.email FROM users u WHERE u.id = ANY($1::uuid[]) AND NOT ${erasedUserSql('u')}`,
    [people.map((p) => p.id)],
  );
  const emails = new Map(rows.map((r) => [r.id, r.email]));
  return new Map(people.flatMap(({ actor, id }) => (emails.has(id) ? [[actor, emails.get(id)!]] : [])));
}

/** SQL: the name for the actor column `actor` of an audit or status row (as `actorName` does). */
export function actorNameSql(actor: string): string {
  return `(SELECT coalesce(
      (SELECT u.name FROM users u
        WHERE (u.email = lower(${actor})
           OR (${actor} ~ '^(provider|reviewer|auditor|admin|buyer):[0-9a-f-]{36}$' AND u.id::text = split_part(${actor}, ':', 2)))
          AND NOT ${erasedUserSql('u')}
        LIMIT 1),
      CASE WHEN ${actor} ~ '^(provider|reviewer|auditor|admin|buyer):' OR ${actor} LIKE '%@%'
           THEN '${ERASED_USER_TEXT}' ELSE ${actor} END))`;
}
