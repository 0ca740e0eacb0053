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

/** A watched, identity-confirmed provider of a refresh, with what its notices need. */
interface WatchedProvider {
  id: string;
  kvk_number: string;
  legal_name: string;
}

/** A watched provider of a refresh, with its change's public reason text and its attestations in force. */
interface WatchedCandidate extends WatchedProvider {
  reason_text: string | null;
  /** Its attestations in force at the previous snapshot, as JSON (instants as text). */
  attestations: { number: string; issued_at: string; valid_until: string }[];
}

/**
 * Tells the buyers who watch them of the changes a snapshot refresh makes, in its transaction:
 * each provider whose status word changes (`status_changed`) and each of its attestations whose
 * status changes (`attestation_changed`). Only providers someone watches and whose identity is
 * confirmed: an unconfirmed organisation is, to a buyer, an unregistered number.
 *
 * The cost for a refresh with no watched change is the read of the stored statuses (one query,
 * by the caller) and, when some status changed, one query for which of those are watched, which
 * also brings the public reason text and the attestations of the watched ones.
 */
export async function tellWatchers(
  manager: EntityManager,
  before: ReadonlyMap<string, StoredStatus>,
  snapshots: readonly StatusSnapshot[],
  histories: ReadonlyMap<string, readonly StatusFact[]>,
  versions: readonly CodeVersionFact[],
  now: Date,
): Promise<void> {
  const changes = new Map(statusChanges(before, snapshots).map((c) => [c.snapshot.providerId, c]));
  const candidates = new Set(changes.keys());
  for (const [providerId, stored] of before) if (stored.attestationEnded) candidates.add(providerId);
  if (candidates.size === 0) return;
  const watched = await manager.query<WatchedCandidate[]>(
    `SELECT p.id, p.kvk_number, p.legal_name,
            (SELECT e.reason FROM status_events e
              WHERE e.id = c.cause AND e.provider_id = p.id AND e.id > p.public_from_event) AS reason_text,
            (SELECT coalesce(json_agg(json_build_object('number', a.number, 'issued_at', a.issued_at,
                                                        'valid_until', a.valid_until) ORDER BY a.issued_at, a.number), '[]')
               FROM attestations a WHERE a.provider_id = p.id AND a.valid_until > c.previous) AS attestations
       FROM jsonb_to_recordset($1::jsonb) AS c(ord int, id uuid, cause bigint, previous timestamptz)
       JOIN providers p ON p.id = c.id
      WHERE p.identity_confirmed_at IS NOT NULL
        AND EXISTS (SELECT 1 FROM watch_list_entries w WHERE w.kvk_number = p.kvk_number)
      ORDER BY c.ord`,
    [
      JSON.stringify(
        [...candidates].map((id, ord) => {
          const change = changes.get(id);
          return {
            ord,
            id,
            cause: change ? (causeOf(histories.get(id) ?? [], change.snapshot) ?? null) : null,
            previous: before.get(id)?.computedAt.toISOString() ?? null,
          };
        }),
      ),
    ],
  );
  for (const provider of watched) {
    const change = changes.get(provider.id);
    if (change) {
      const { snapshot } = change;
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
            reasonText: provider.reason_text,
            since: snapshot.since,
            validUntil: snapshot.validUntil,
            kvkNumber: provider.kvk_number,
            legalName: provider.legal_name,
          },
        },
        now,
      );
    }
    const stored = before.get(provider.id);
    if (stored)
      await tellAttestationChanges(
        manager,
        provider,
        stored,
        histories.get(provider.id) ?? [],
        versions,
        now,
      );
  }
}

/**
 * The status event behind a snapshot's status: the latest event effective at its `since` (the
 * suspension, the revocation, the approval). Undefined when time alone made it (an expiry). Its
 * reason text is told only where the public change feed shows it (an event after the provider's
 * identity was confirmed): what the reviewer wrote for the public, nothing else.
 */
function causeOf(history: readonly StatusFact[], snapshot: StatusSnapshot): number | undefined {
  if (!snapshot.since) return undefined;
  const since = new Date(snapshot.since).getTime();
  const at = history.filter((f) => f.effectiveAt.getTime() === since);
  return at.length > 0 ? at[at.length - 1]!.sequence : undefined;
}

/** Records an `attestation_changed` event for each attestation of this provider whose status changed. */
async function tellAttestationChanges(
  manager: EntityManager,
  provider: WatchedCandidate,
  stored: StoredStatus,
  history: readonly StatusFact[],
  versions: readonly CodeVersionFact[],
  now: Date,
): Promise<void> {
  for (const row of provider.attestations) {
    const attestation = {
      number: row.number,
      providerId: provider.id,
      issuedAt: new Date(row.issued_at),
      validUntil: new Date(row.valid_until),
    };
    const change = attestationChange(attestation, history, versions, stored.computedAt, now);
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
