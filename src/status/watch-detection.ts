import type { EntityManager } from 'typeorm';
import { paths } from '../shared/paths';
import { recordWatchEvent } from '../watch/watch-events';
import { attestationStatusAt, type AttestationState } from './attestation-status';
import type { CodeVersionFact, StatusFact } from './status-rules';
import type { StatusSnapshot } from './status-snapshot.queries';

/**
 * The status word of a number the register has no stored status for: what a watcher was told
 * before a provider's first snapshot (the register's pages and API know no such number).
 */
export const NOT_REGISTERED = 'not_registered';

/** A provider's stored status before a refresh: its word and when it was computed. */
export interface StoredStatus {
  status: string;
  computedAt: Date;
  /** Whether one of its attestations reached its end of validity since `computedAt`. */
  attestationEnded: boolean;
}

/** One provider whose stored status word changes with this refresh. */
export interface StatusChange {
  snapshot: StatusSnapshot;
  from: string;
  to: string;
}

/**
 * The providers of a refresh whose status word changes: a changed word, or a first snapshot (from
 * NOT_REGISTERED). A new `since` or `validUntil` under the same word (a renewal) is not a change a
 * buyer is told of. Pure.
 */
export function statusChanges(
  before: ReadonlyMap<string, Pick<StoredStatus, 'status'>>,
  after: readonly StatusSnapshot[],
): StatusChange[] {
  return after.flatMap((snapshot) => {
    const from = before.get(snapshot.providerId)?.status ?? NOT_REGISTERED;
    return from === snapshot.status ? [] : [{ snapshot, from, to: snapshot.status }];
  });
}

/** An attestation as the change detection reads it. */
export interface WatchedAttestation {
  number: string;
  providerId: string;
  issuedAt: Date;
  validUntil: Date;
}

/**
 * How an attestation's status changed between the previous snapshot (`previous`, by the history
 * as it was recorded then) and `now` (by the whole history), or undefined when it did not. One
 * issued after `previous` was valid when its issue was told. Pure.
 */
export function attestationChange(
  attestation: WatchedAttestation,
  history: readonly StatusFact[],
  versions: readonly CodeVersionFact[],
  previous: Date,
  now: Date,
): { from: AttestationState; to: AttestationState; since: Date } | undefined {
  const from =
    attestation.issuedAt.getTime() > previous.getTime()
      ? 'valid'
      : attestationStatusAt(
          attestation,
          history.filter((f) => f.recordedAt.getTime() <= previous.getTime()),
          versions,
          previous,
        ).state;
  const after = attestationStatusAt(attestation, history, versions, now);
  if (after.state === from) return undefined;
  return { from, to: after.state, since: after.since ?? now };
}

/** A watched, identity-confirmed provider of a refresh. */
interface WatchedProvider {
  id: string;
  kvk_number: string;
  legal_name: string;
}

/**
 * Tells the buyers who watch them of the changes a snapshot refresh makes, in its transaction:
 * each provider whose status word changes (`status_changed`) and each of its attestations whose
 * status changes (`attestation_changed`). Only providers someone watches and whose identity is
 * confirmed: an unconfirmed organisation is, to a buyer, an unregistered number.
 *
 * The cost for a refresh with no watched change is the read of the stored statuses (one query,
 * by the caller) and, when some status changed, one query for which of those are watched.
 */
export async function tellWatchers(
  manager: EntityManager,
  before: ReadonlyMap<string, StoredStatus>,
  snapshots: readonly StatusSnapshot[],
  histories: ReadonlyMap<string, readonly StatusFact[]>,
  versions: readonly CodeVersionFact[],
  now: Date,
): Promise<void> {
  const changes = statusChanges(before, snapshots);
  const candidates = new Set(changes.map((c) => c.snapshot.providerId));
  for (const [providerId, stored] of before) if (stored.attestationEnded) candidates.add(providerId);
  if (candidates.size === 0) return;
  const watched = await manager.query<WatchedProvider[]>(
    `SELECT p.id, p.kvk_number, p.legal_name FROM providers p
      WHERE p.id = ANY($1::uuid[]) AND p.identity_confirmed_at IS NOT NULL
        AND EXISTS (SELECT 1 FROM watch_list_entries e WHERE e.kvk_number = p.kvk_number)`,
    [[...candidates]],
  );
  if (watched.length === 0) return;
  const byId = new Map(watched.map((p) => [p.id, p]));
  const told = changes.filter((c) => byId.has(c.snapshot.providerId));
  const reasons = await publicReasons(
    manager,
    told.flatMap((c) => {
      const cause = causeOf(histories.get(c.snapshot.providerId) ?? [], c.snapshot);
      return cause ? [cause] : [];
    }),
  );
  for (const change of told) {
    const provider = byId.get(change.snapshot.providerId)!;
    const { snapshot } = change;
    const cause = causeOf(histories.get(provider.id) ?? [], snapshot);
    await recordWatchEvent(
      manager,
      {
        kind: 'status_changed',
        providerId: provider.id,
        kvkNumber: provider.kvk_number,
        occurredAt: snapshot.since ? new Date(snapshot.since) : now,
        data: {
          from: change.from,
          to: change.to,
          reason: snapshot.status === 'verantwoord' ? null : snapshot.status,
          reasonText: (cause && reasons.get(cause)) ?? null,
          since: snapshot.since,
          validUntil: snapshot.validUntil,
          kvkNumber: provider.kvk_number,
          legalName: provider.legal_name,
        },
      },
      now,
    );
  }
  await tellAttestationChanges(manager, byId, before, histories, versions, now);
}

/**
 * The status event behind a snapshot's status: the latest event effective at its `since` (the
 * suspension, the revocation, the approval). Undefined when time alone made it (an expiry).
 */
function causeOf(history: readonly StatusFact[], snapshot: StatusSnapshot): number | undefined {
  if (!snapshot.since) return undefined;
  const since = new Date(snapshot.since).getTime();
  const at = history.filter((f) => f.effectiveAt.getTime() === since);
  return at.length > 0 ? at[at.length - 1]!.sequence : undefined;
}

/**
 * The reason text of these status events where the public change feed shows it (an event after
 * the provider's identity was confirmed): what the reviewer wrote for the public, nothing else.
 */
async function publicReasons(manager: EntityManager, eventIds: number[]): Promise<Map<number, string>> {
  if (eventIds.length === 0) return new Map();
  const rows = await manager.query<{ id: string; reason: string }[]>(
    `SELECT e.id::text AS id, e.reason FROM status_events e JOIN providers p ON p.id = e.provider_id
      WHERE e.id = ANY($1::bigint[]) AND e.reason IS NOT NULL
        AND p.identity_confirmed_at IS NOT NULL AND e.id > p.public_from_event`,
    [eventIds.map(String)],
  );
  return new Map(rows.map((r) => [Number(r.id), r.reason]));
}

/** Records an `attestation_changed` event for each attestation of these providers whose status changed. */
async function tellAttestationChanges(
  manager: EntityManager,
  providers: ReadonlyMap<string, WatchedProvider>,
  before: ReadonlyMap<string, StoredStatus>,
  histories: ReadonlyMap<string, readonly StatusFact[]>,
  versions: readonly CodeVersionFact[],
  now: Date,
): Promise<void> {
  const previous = [...providers.keys()].flatMap((id) => {
    const stored = before.get(id);
    return stored ? [stored.computedAt.getTime()] : [];
  });
  if (previous.length === 0) return;
  // Only attestations still in force at the earliest previous snapshot can have changed since.
  const attestations = await manager.query<
    { number: string; provider_id: string; issued_at: Date; valid_until: Date }[]
  >(
    `SELECT number, provider_id, issued_at, valid_until FROM attestations
      WHERE provider_id = ANY($1::uuid[]) AND valid_until > $2 ORDER BY issued_at, number`,
    [[...providers.keys()], new Date(Math.min(...previous))],
  );
  for (const row of attestations) {
    const stored = before.get(row.provider_id);
    const provider = providers.get(row.provider_id);
    if (!stored || !provider) continue;
    const attestation = {
      number: row.number,
      providerId: row.provider_id,
      issuedAt: row.issued_at,
      validUntil: row.valid_until,
    };
    const change = attestationChange(
      attestation,
      histories.get(row.provider_id) ?? [],
      versions,
      stored.computedAt,
      now,
    );
    if (!change) continue;
    await recordAttestationEvent(manager, provider, attestation, change.from, change.to, change.since, now);
  }
}

/**
 * Records that an attestation of a watched provider changed status (`from` null: it was issued),
 * with its public verification path. The caller knows the provider is watched and confirmed.
 */
export async function recordAttestationEvent(
  manager: EntityManager,
  provider: { id: string; kvk_number: string; legal_name: string },
  attestation: WatchedAttestation,
  from: AttestationState | null,
  to: AttestationState,
  since: Date,
  now: Date,
): Promise<void> {
  await recordWatchEvent(
    manager,
    {
      kind: 'attestation_changed',
      providerId: provider.id,
      kvkNumber: provider.kvk_number,
      occurredAt: since,
      data: {
        attestationNumber: attestation.number,
        from,
        to,
        since: since.toISOString(),
        validUntil: attestation.validUntil.toISOString(),
        verificationPath: paths.verificationOf(attestation.number),
        kvkNumber: provider.kvk_number,
        legalName: provider.legal_name,
      },
    },
    now,
  );
}

/**
 * The provider, when it is watched and its identity confirmed: whom an attestation's issue is
 * told to. Undefined otherwise.
 */
export async function watchedConfirmedProvider(
  manager: EntityManager,
  providerId: string,
): Promise<WatchedProvider | undefined> {
  const [row] = await manager.query<WatchedProvider[]>(
    `SELECT p.id, p.kvk_number, p.legal_name FROM providers p
      WHERE p.id = $1 AND p.identity_confirmed_at IS NOT NULL
        AND EXISTS (SELECT 1 FROM watch_list_entries e WHERE e.kvk_number = p.kvk_number)`,
    [providerId],
  );
  return row;
}
