import type { EntityManager } from 'typeorm';

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

/**
 * Deletes the side rows of one person: those of events they acted in or that are about their
 * account, and those naming their address (an invitation sent to it before the account existed).
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
            OR ($2::text IS NOT NULL AND lower(d.data->>'email') = lower($2)))
        RETURNING d.event_id)
     SELECT event_id::text AS "eventId" FROM gone`,
    [person.id ?? null, person.email ?? null],
  );
  return rows.map((r) => r.eventId).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}
