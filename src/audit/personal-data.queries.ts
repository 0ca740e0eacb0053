import type { EntityManager } from 'typeorm';
import { addressPattern } from './personal-data';

/** A side row as read: the details and the salt of their digest. */
export interface PersonalDataRow {
  eventId: string;
  data: Record<string, unknown>;
  salt: Buffer;
}

/** The side rows of these events (those that have one). */
export async function personalDataOf(
  manager: EntityManager,
  eventIds: readonly string[],
): Promise<Map<string, PersonalDataRow>> {
  if (eventIds.length === 0) return new Map();
  const rows = await manager.query<PersonalDataRow[]>(
    `SELECT event_id::text AS "eventId", data, salt FROM audit_personal_data WHERE event_id = ANY($1::bigint[])`,
    [eventIds],
  );
  return new Map(rows.map((r) => [r.eventId, r]));
}

/** Which of these events a later `personal_data.erased` event names: their side rows went lawfully. */
export async function erasedEventsAmong(
  manager: EntityManager,
  eventIds: readonly string[],
): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const rows = await manager.query<{ id: string }[]>(
    `SELECT DISTINCT named.id
       FROM audit_events e, jsonb_array_elements_text(e.data->'events') AS named(id)
      WHERE e.action = 'personal_data.erased' AND named.id = ANY($1::text[]) AND e.id > CASE WHEN named.id ~ '^[0-9]{1,18}$' THEN named.id::bigint END`,
    [eventIds],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Deletes the side rows of one person: those of events they acted in or that are about their
 * account, and those naming their address anywhere in their JSON, in any case (an invitation sent
 * to it before the account existed, a refused request whose path held it: `addressPattern`).
 * Answers the ids of the events whose rows went.
 */
export async function deletePersonalData(
  manager: EntityManager,
  person: { id?: string; email?: string },
): Promise<string[]> {
  // A SELECT around the DELETE: the driver answers a DELETE with its row count beside the rows.
  const rows = await manager.query<{ eventId: string }[]>(
    `WITH gone AS (
       DELETE FROM audit_personal_data d USING audit_events e
        WHERE e.id = d.event_id
          AND (($1::text IS NOT NULL AND (e.subject_id = $1 OR split_part(e.actor, ':', 2) = $1))
            OR ($2::text IS NOT NULL AND d.data::text ~* $2))
        RETURNING d.event_id)
     SELECT event_id::text AS "eventId" FROM gone`,
    [person.id ?? null, person.email ? addressPattern(person.email) : null],
  );
  return rows.map((r) => r.eventId).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}
