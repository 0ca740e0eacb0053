import type { EntityManager } from 'typeorm';
import { isEmailActor, personOfActor } from './actor';

/** What a page says for a person the users table no longer knows, in both languages (plain text params). */
export const ERASED_USER_TEXT = 'verwijderde gebruiker / erased user';

/**
 * How a staff page names an actor: `name (e-mail address)` of the user behind `<role>:<user id>` or
 * an older e-mail actor, `ERASED_USER_TEXT` when that user is gone, a system actor as written.
 */
export async function actorName(manager: EntityManager, actor: string): Promise<string> {
  const person = personOfActor(actor);
  if (!person && !isEmailActor(actor)) return actor;
  const [row] = await manager.query<{ name: string; email: string }[]>(
    `SELECT name, email FROM users WHERE ${person ? 'id = $1' : 'email = lower($1)'}`,
    [person ? person.id : actor],
  );
  return row ? `${row.name} (${row.email})` : ERASED_USER_TEXT;
}

/** SQL: the name for the actor column `actor` of an audit or status row (as `actorName` does). */
export function actorNameSql(actor: string): string {
  return `(SELECT coalesce(
      (SELECT u.name FROM users u
        WHERE u.email = lower(${actor})
           OR (${actor} ~ '^(provider|reviewer|auditor|admin):[0-9a-f-]{36}$' AND u.id::text = split_part(${actor}, ':', 2))
        LIMIT 1),
      CASE WHEN ${actor} ~ '^(provider|reviewer|auditor|admin):' OR ${actor} LIKE '%@%'
           THEN '${ERASED_USER_TEXT}' ELSE ${actor} END))`;
}
