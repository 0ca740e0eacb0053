import type { EntityManager } from 'typeorm';
import { loadCodeVersions, loadHistories, toCodeVersionFact, toStatusFact } from './status-history';
import { nextStatusChange, statusAt } from './status-rules';
import {
  dueSnapshotProviderIds,
  markAllSnapshotsDueNow,
  upsertStatusSnapshots,
} from './status-snapshot.queries';

/**
 * Recomputes the stored status of these providers by the rules, in the caller's transaction.
 * Called whenever a status event is recorded, and for snapshots whose next change has come.
 */
export async function refreshStatusSnapshots(
  manager: EntityManager,
  providerIds: string[],
  now: Date,
): Promise<void> {
  if (providerIds.length === 0) return;
  const [histories, versions] = await Promise.all([
    loadHistories(manager, providerIds),
    loadCodeVersions(manager),
  ]);
  const facts = versions.map(toCodeVersionFact);
  const snapshots = providerIds.map((providerId) => {
    const history = (histories.get(providerId) ?? []).map(toStatusFact);
    const status = statusAt(history, facts, now);
    return {
      providerId,
      status: status.verantwoord ? 'verantwoord' : status.reason,
      since: status.since?.toISOString() ?? null,
      validUntil: status.listing?.validUntil.toISOString() ?? null,
      nextChangeAt: nextStatusChange(history, facts, now)?.toISOString() ?? null,
    };
  });
  await upsertStatusSnapshots(manager, snapshots, now);
}

/** Brings every snapshot whose next change has come up to date; answers how many it refreshed. */
export async function refreshDueSnapshots(manager: EntityManager, now: Date, batch = 2000): Promise<number> {
  let refreshed = 0;
  for (;;) {
    const due = await dueSnapshotProviderIds(manager, now, batch);
    if (due.length === 0) return refreshed;
    await refreshStatusSnapshots(manager, due, now);
    refreshed += due.length;
    if (due.length < batch) return refreshed;
  }
}

/** A new code-of-conduct version changes when older ones lapse: every snapshot is due again. */
export async function markAllSnapshotsDue(manager: EntityManager): Promise<void> {
  await markAllSnapshotsDueNow(manager);
}
