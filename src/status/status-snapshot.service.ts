import type { EntityManager } from 'typeorm';
import { loadCodeVersions, loadHistories, toCodeVersionFact, toStatusFact } from './status-history';
import { nextStatusChange, statusAt } from './status-rules';

/**
 * Recomputes the stored status of these providers by the rules, in the caller's transaction.
 * Called whenever a status event is recorded, and for snapshots whose next change has come.
 */
export async function refreshStatusSnapshots(
  manager: EntityManager,
  providerIds: string[],
  now = new Date(),
): Promise<void> {
  if (providerIds.length === 0) return;
  const [histories, versions] = await Promise.all([
    loadHistories(manager, providerIds),
    loadCodeVersions(manager),
  ]);
  const facts = versions.map(toCodeVersionFact);
  const rows = providerIds.map((id) => {
    const history = (histories.get(id) ?? []).map(toStatusFact);
    const status = statusAt(history, facts, now);
    return {
      id,
      status: status.verantwoord ? 'verantwoord' : status.reason,
      since: status.since?.toISOString() ?? null,
      validUntil: status.listing?.validUntil.toISOString() ?? null,
      next: nextStatusChange(history, facts, now)?.toISOString() ?? null,
    };
  });
  await manager.query(
    `INSERT INTO provider_status (provider_id, status, since, valid_until, computed_at, next_change_at)
     SELECT r.id::uuid, r.status, r.since::timestamptz, r.valid_until::timestamptz, $2, r.next::timestamptz
     FROM jsonb_to_recordset($1::jsonb) AS r(id text, status text, since text, valid_until text, next text)
     ON CONFLICT (provider_id) DO UPDATE SET status = EXCLUDED.status, since = EXCLUDED.since,
       valid_until = EXCLUDED.valid_until, computed_at = EXCLUDED.computed_at, next_change_at = EXCLUDED.next_change_at`,
    [
      JSON.stringify(
        rows.map((r) => ({
          id: r.id,
          status: r.status,
          since: r.since,
          valid_until: r.validUntil,
          next: r.next,
        })),
      ),
      now,
    ],
  );
}

/** Brings every snapshot whose next change has come up to date; answers how many it refreshed. */
export async function refreshDueSnapshots(
  manager: EntityManager,
  now = new Date(),
  batch = 2000,
): Promise<number> {
  let refreshed = 0;
  for (;;) {
    const due = (await manager.query(
      `SELECT provider_id FROM provider_status WHERE next_change_at <= $1 ORDER BY next_change_at LIMIT $2`,
      [now, batch],
    )) as { provider_id: string }[];
    if (due.length === 0) return refreshed;
    await refreshStatusSnapshots(
      manager,
      due.map((d) => d.provider_id),
      now,
    );
    refreshed += due.length;
    if (due.length < batch) return refreshed;
  }
}

/** A new code-of-conduct version changes when older ones lapse: every snapshot is due again. */
export async function markAllSnapshotsDue(manager: EntityManager): Promise<void> {
  await manager.query(`UPDATE provider_status SET next_change_at = '-infinity'`);
}
