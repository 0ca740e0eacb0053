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

/** Makes every snapshot due for recomputation. */
export async function markAllSnapshotsDueNow(manager: EntityManager): Promise<void> {
  await manager.query(`UPDATE provider_status SET next_change_at = '-infinity'`);
}
