import type { DataSource, EntityManager } from 'typeorm';
import { loadCodeVersions, loadStatusFacts, toCodeVersionFact } from './status-history';
import {
  codeVersionLapsesAt,
  type CodeVersionFact,
  nextStatusChange,
  statusAt,
  type StatusFact,
} from './status-rules';
import {
  bringSnapshotsForward,
  dueSnapshotProviderIds,
  lockSnapshotRefresh,
  providersWithEndedAttestations,
  type StatusSnapshot,
  storedStatuses,
  upsertStatusSnapshots,
} from './status-snapshot.queries';
import { tellWatchers } from './watch-detection';

/** The snapshots of these providers as the rules compute them at `now`, from their recorded history. */
export async function computeStatusSnapshots(
  manager: EntityManager,
  providerIds: string[],
  now: Date,
): Promise<StatusSnapshot[]> {
  return (await computeWithHistories(manager, providerIds, now)).snapshots;
}

/** The snapshots, and the histories and code versions they were computed from. */
async function computeWithHistories(
  manager: EntityManager,
  providerIds: string[],
  now: Date,
): Promise<{ snapshots: StatusSnapshot[]; histories: Map<string, StatusFact[]>; facts: CodeVersionFact[] }> {
  if (providerIds.length === 0) return { snapshots: [], histories: new Map(), facts: [] };
  // One after the other: a transaction's connection runs one query at a time.
  const versions = await loadCodeVersions(manager);
  const histories = await loadStatusFacts(manager, providerIds);
  const facts = versions.map(toCodeVersionFact);
  const snapshots = providerIds.map((providerId) => {
    const history = histories.get(providerId) ?? [];
    const status = statusAt(history, facts, now);
    return {
      providerId,
      status: status.verantwoord ? 'verantwoord' : status.reason,
      since: status.since?.toISOString() ?? null,
      validUntil: status.listing?.validUntil.toISOString() ?? null,
      nextChangeAt: nextStatusChange(history, facts, now)?.toISOString() ?? null,
    };
  });
  return { snapshots, histories, facts };
}

/**
 * Recomputes the stored status of these providers by the rules, in the caller's transaction.
 * Called whenever a status event is recorded, and for snapshots whose next change has come. This
 * is the one place a stored status changes, so it is where the buyers who watch a provider are
 * told (issue 18): the stored statuses are read before they are replaced, and each watched change
 * of a status or of an attestation's status becomes a watch event in the same transaction.
 */
export async function refreshStatusSnapshots(
  manager: EntityManager,
  providerIds: string[],
  now: Date,
): Promise<void> {
  if (providerIds.length === 0) return;
  const before = await storedStatuses(manager, providerIds, now);
  const { snapshots, histories, facts } = await computeWithHistories(manager, providerIds, now);
  await tellWatchers(manager, before, snapshots, histories, facts, now);
  await upsertStatusSnapshots(manager, snapshots, now);
}

/**
 * Brings every snapshot whose next change has come up to date, in the caller's transaction;
 * answers how many it refreshed. The daily work uses it before it reads the stored statuses.
 */
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

/**
 * An attestation can reach its end of validity while its provider's status stays the same (the
 * listing was renewed): no snapshot comes due for it, so the daily work refreshes the watched ones
 * here, and the refresh tells their watchers (issue 18). In the caller's transaction, under the
 * refresh's lock (the daily work takes it). Answers how many providers were refreshed.
 */
export async function refreshEndedAttestations(manager: EntityManager, now: Date): Promise<number> {
  const ids = await providersWithEndedAttestations(manager, now);
  await refreshStatusSnapshots(manager, ids, now);
  return ids.length;
}

/**
 * One batch of the snapshot refresh, in its own transaction under the refresh's advisory lock (one
 * refresher at a time across instances): up to `batch` due snapshots, earliest due first. With
 * `wait`, waits for the lock; otherwise answers -1 when another transaction holds it. Answers how
 * many it refreshed.
 */
export function refreshDueBatch(
  dataSource: DataSource,
  now: () => Date,
  batch: number,
  wait: boolean,
): Promise<number> {
  return dataSource.transaction(async (manager) => {
    if (!(await lockSnapshotRefresh(manager, wait))) return -1;
    const at = now();
    const due = await dueSnapshotProviderIds(manager, at, batch);
    await refreshStatusSnapshots(manager, due, at);
    return due.length;
  });
}

/** The work in flight per database on this instance, so that concurrent requests share it. */
interface Flight {
  now: number;
  work: Promise<boolean>;
}
const inFlight = new WeakMap<DataSource, Map<string, Flight>>();

/**
 * Runs `work` at `now` unless the same work (by `key`) is in flight on this instance for an instant
 * at or after `now`: then its answer is this one's too. A caller that came later than the run in
 * flight waits for it and then runs its own (usually finding nothing left to do).
 */
async function shared(
  dataSource: DataSource,
  key: string,
  now: Date,
  work: () => Promise<boolean>,
): Promise<boolean> {
  let flights = inFlight.get(dataSource);
  if (!flights) inFlight.set(dataSource, (flights = new Map<string, Flight>()));
  for (;;) {
    const flight = flights.get(key);
    if (!flight) break;
    const answer = await flight.work.catch(() => undefined);
    if (answer !== undefined && flight.now >= now.getTime()) return answer;
  }
  const flight = { now: now.getTime(), work: work() };
  flights.set(key, flight);
  try {
    return await flight.work;
  } finally {
    if (flights.get(key) === flight) flights.delete(key);
  }
}

/** The most due snapshots a read brings up to date itself; more are left to the background refresh. */
export const READ_REFRESH_LIMIT = 50;

/**
 * What a read does before it reads stored statuses: when only a few snapshots are due (a listing
 * that just ended), brings them up to date, shared by concurrent reads on this instance; answers
 * true when every stored status is current at `now`. When more are due (after a code version
 * lapsed many listings at once), or the background refresh holds the lock, it leaves them to the
 * refresh and answers false: the reader then computes the status of the rows it shows itself
 * (`currentStatuses`), never of the whole register.
 */
export async function catchUpFewSnapshots(
  dataSource: DataSource,
  now: Date,
  limit = READ_REFRESH_LIMIT,
): Promise<boolean> {
  const due = await dueSnapshotProviderIds(dataSource.manager, now, limit + 1);
  if (due.length === 0) return true;
  if (due.length > limit) return false;
  return shared(dataSource, 'few', now, async () => {
    const refreshed = await refreshDueBatch(dataSource, () => now, limit + 1, false);
    return refreshed >= 0 && refreshed <= limit;
  });
}

/**
 * Brings every due snapshot up to date at `now`, in batches under the refresh's lock (waiting for
 * a refresh in progress elsewhere, which leaves less to do), shared by concurrent callers on this
 * instance: for the open data, which must be exact at `now` for every provider.
 */
export async function catchUpAllSnapshots(dataSource: DataSource, now: Date, batch = 2000): Promise<void> {
  const due = await dueSnapshotProviderIds(dataSource.manager, now, 1);
  if (due.length === 0) return;
  await shared(dataSource, 'all', now, async () => {
    while ((await refreshDueBatch(dataSource, () => now, batch, true)) === batch);
    return true;
  });
}

/**
 * The status of these providers at `now` by the rules, in their order, without writing anything:
 * for the rows a page shows.
 */
export async function currentStatuses(
  manager: EntityManager,
  providerIds: string[],
  now: Date,
): Promise<{ status: string; since: Date | null; valid_until: Date | null }[]> {
  const snapshots = await computeStatusSnapshots(manager, providerIds, now);
  return snapshots.map((s) => ({
    status: s.status,
    since: s.since === null ? null : new Date(s.since),
    valid_until: s.validUntil === null ? null : new Date(s.validUntil),
  }));
}

/**
 * The instant from which each code version is accepted at other instants once the versions change
 * from `before` to `after` (a version published or withdrawn): a version whose lapse moved, from
 * the earlier of its two lapses; a version that came or went, from its publication.
 */
export function versionChanges(
  before: readonly CodeVersionFact[],
  after: readonly CodeVersionFact[],
): { versionId: string; from: Date }[] {
  const changes: { versionId: string; from: Date }[] = [];
  const ids = new Set([...before, ...after].map((v) => v.id));
  for (const id of ids) {
    const old = before.find((v) => v.id === id);
    const current = after.find((v) => v.id === id);
    if (!old || !current) {
      const version = old ?? current;
      if (version) changes.push({ versionId: id, from: version.publishedAt });
      continue;
    }
    const was = codeVersionLapsesAt(old, before)?.getTime() ?? Infinity;
    const is = codeVersionLapsesAt(current, after)?.getTime() ?? Infinity;
    if (was !== is) changes.push({ versionId: id, from: new Date(Math.min(was, is)) });
  }
  return changes;
}

/**
 * A code version was published or withdrawn: only the providers approved on a version whose
 * acceptance changed can have another status, from the instant it changes. Their snapshots come
 * due then (now, when that instant has passed), and the background refresh (or a read, for the
 * rows it shows) recomputes them; every other snapshot stays as it is.
 */
export async function markSnapshotsDueForVersions(
  manager: EntityManager,
  before: readonly CodeVersionFact[],
  after: readonly CodeVersionFact[],
): Promise<number> {
  return bringSnapshotsForward(manager, versionChanges(before, after));
}
