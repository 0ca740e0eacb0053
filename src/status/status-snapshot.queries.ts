import type { EntityManager } from 'typeorm';

/** A provider's stored status as the rules computed it; instants as ISO text or null. */
export interface StatusSnapshot {
  providerId: string;
  status: string;
  since: string | null;
  validUntil: string | null;
  nextChangeAt: string | null;
}

/** Writes these snapshots (insert or replace), all computed at `computedAt`, in one statement. */
export async function upsertStatusSnapshots(
  manager: EntityManager,
  snapshots: StatusSnapshot[],
  computedAt: Date,
): Promise<void> {
  await manager.query(
    `INSERT INTO provider_status (provider_id, status, since, valid_until, computed_at, next_change_at)
     SELECT r.id::uuid, r.status, r.since::timestamptz, r.valid_until::timestamptz, $2, r.next::timestamptz
     FROM jsonb_to_recordset($1::jsonb) AS r(id text, status text, since text, valid_until text, next text)
     ON CONFLICT (provider_id) DO UPDATE SET status = EXCLUDED.status, since = EXCLUDED.since,
       valid_until = EXCLUDED.valid_until, computed_at = EXCLUDED.computed_at, next_change_at = EXCLUDED.next_change_at`,
    [
      JSON.stringify(
        snapshots.map((s) => ({
          id: s.providerId,
          status: s.status,
          since: s.since,
          valid_until: s.validUntil,
          next: s.nextChangeAt,
        })),
      ),
      computedAt,
    ],
  );
}

/**
 * The stored status of these providers (those that have one), read before a refresh replaces it:
 * its word, when it was computed, and whether one of the provider's attestations reached its end
 * of validity since then (at `now` or before), which changes the attestation's status without
 * changing the provider's.
 */
export async function storedStatuses(
  manager: EntityManager,
  providerIds: string[],
  now: Date,
): Promise<Map<string, { status: string; computedAt: Date; attestationEnded: boolean }>> {
  const rows = await manager.query<
    { provider_id: string; status: string; computed_at: Date; attestation_ended: boolean }[]
  >(
    `SELECT s.provider_id, s.status, s.computed_at,
            EXISTS (SELECT 1 FROM attestations a
                     WHERE a.provider_id = s.provider_id AND a.valid_until > s.computed_at AND a.valid_until <= $2)
              AS attestation_ended
       FROM provider_status s WHERE s.provider_id = ANY($1::uuid[])`,
    [providerIds, now],
  );
  return new Map(
    rows.map((r) => [
      r.provider_id,
      { status: r.status, computedAt: r.computed_at, attestationEnded: r.attestation_ended },
    ]),
  );
}

/**
 * The watched, confirmed providers with an attestation that reached its end of validity after
 * their snapshot was computed, at `now` or before (issue 18): the refresh tells their watchers.
 */
export async function providersWithEndedAttestations(manager: EntityManager, now: Date): Promise<string[]> {
  const rows = await manager.query<{ provider_id: string }[]>(
    `SELECT DISTINCT a.provider_id
       FROM attestations a
       JOIN provider_status s ON s.provider_id = a.provider_id
       JOIN providers p ON p.id = a.provider_id AND p.identity_confirmed_at IS NOT NULL
      WHERE a.valid_until > s.computed_at AND a.valid_until <= $1
        AND EXISTS (SELECT 1 FROM watch_list_entries e WHERE e.kvk_number = p.kvk_number)`,
    [now],
  );
  return rows.map((r) => r.provider_id);
}

/** Up to `limit` providers whose snapshot's next change is at or before `now`, earliest first. */
export async function dueSnapshotProviderIds(
  manager: EntityManager,
  now: Date,
  limit: number,
): Promise<string[]> {
  const rows = await manager.query<{ provider_id: string }[]>(
    `SELECT provider_id FROM provider_status WHERE next_change_at <= $1 ORDER BY next_change_at LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => r.provider_id);
}

/**
 * Brings the next change of the snapshots of providers approved on these code versions forward to
 * the instant given with each version (when it is earlier): from then on a version's acceptance
 * differs, so their status may. The other snapshots stay as they are.
 */
export async function bringSnapshotsForward(
  manager: EntityManager,
  changes: { versionId: string; from: Date }[],
): Promise<number> {
  const [, updated] = await manager.query<[unknown[], number]>(
    `UPDATE provider_status s SET next_change_at = a.at
       FROM (SELECT e.provider_id, min(c.at) AS at
               FROM status_events e
               JOIN jsonb_to_recordset($1::jsonb) AS c(id uuid, at timestamptz) ON c.id = e.code_of_conduct_version_id
              WHERE e.kind = 'listing_approved'
              GROUP BY e.provider_id) a
      WHERE s.provider_id = a.provider_id AND (s.next_change_at IS NULL OR s.next_change_at > a.at)`,
    [JSON.stringify(changes.map((c) => ({ id: c.versionId, at: c.from.toISOString() })))],
  );
  return updated;
}

/** The first key of the advisory lock of the snapshot refresh (the jobs' class); the second names it. */
const SNAPSHOT_LOCK = [7306, 'status-snapshots'] as const;

/**
 * Takes the lock of the snapshot refresh for the transaction: one refresh at a time across
 * instances. With `wait`, waits for it; otherwise answers false when another transaction holds it.
 */
export async function lockSnapshotRefresh(manager: EntityManager, wait: boolean): Promise<boolean> {
  if (wait) {
    await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [...SNAPSHOT_LOCK]);
    return true;
  }
  const [row] = await manager.query<{ locked: boolean }[]>(
    'SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked',
    [...SNAPSHOT_LOCK],
  );
  return row?.locked === true;
}
