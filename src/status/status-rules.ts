/**
 * The status rules of design §3: is a provider verantwoord at instant t?
 *
 * Pure functions over the provider's recorded history and the code-of-conduct versions; no
 * database and no clock: `t` is a parameter, so "is X verantwoord now?" and "was X verantwoord on
 * 1 March?" are the same computation.
 *
 * Every period is half-open, [start, end): a listing is in force from its approval instant up to
 * (not including) `validUntil`; a suspension from its start up to its planned end; an older code
 * version up to its successor's `transitionEndsAt`; AAN participation from `aanSince` up to the
 * instant it ended. So at an end instant the thing has already ended, and two periods that meet
 * (a renewal approved exactly at the old expiry) leave no gap.
 */

export const STATUS_EVENT_KINDS = [
  'application_submitted',
  'application_withdrawn',
  'application_rejected',
  'listing_approved',
  'suspended',
  'suspension_lifted',
  'revoked',
  'aan_participation_ended',
  'aan_participation_resumed',
  // Recorded by the daily work at the instant the rules already count from; they change nothing.
  'listing_expired',
  'code_of_conduct_lapsed',
] as const;
export type StatusEventKind = (typeof STATUS_EVENT_KINDS)[number];

/**
 * Why a provider is not verantwoord, in order of precedence when several hold at once: a
 * revocation outweighs everything, an expired listing outweighs a suspension of it, and the
 * conditions of the listing (code version, AAN) are checked last.
 */
export const REASON_CODES = [
  'not_listed',
  'application_pending',
  'rejected',
  'expired',
  'suspended',
  'revoked',
  'code_of_conduct_outdated',
  'aan_participation_ended',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** The facts of one status event the rules need. */
export interface StatusFact {
  /** Order of recording; breaks ties between events effective at the same instant. */
  sequence: number;
  kind: StatusEventKind;
  effectiveAt: Date;
  recordedAt: Date;
  validUntil?: Date | null;
  codeOfConductVersionId?: string | null;
  aanSince?: Date | null;
  suspendedUntil?: Date | null;
}

export interface CodeVersionFact {
  id: string;
  publishedAt: Date;
  transitionEndsAt: Date;
}

export interface Listing {
  approvedAt: Date;
  validUntil: Date;
  codeOfConductVersionId: string;
  aanSince: Date;
}

export type StatusAt =
  | { verantwoord: true; since: Date; listing: Listing }
  | {
      verantwoord: false;
      reason: ReasonCode;
      /** When this reason began to hold; absent for `not_listed` without any history. */
      since?: Date;
      /** Planned end of a suspension. */
      until?: Date;
      /** The event that brought this reason about, when one did. */
      cause?: StatusFact;
      /** The listing this reason applies to, when there was one. */
      listing?: Listing;
    };

export interface StatusOptions {
  /** Ignore events recorded after this instant: "what did the register say at that time?" */
  knownAt?: Date;
}

function inOrder(a: StatusFact, b: StatusFact): number {
  return a.effectiveAt.getTime() - b.effectiveAt.getTime() || a.sequence - b.sequence;
}

/** The instant `version` stops being accepted, or undefined while no successor ends it. */
export function codeVersionLapsesAt(
  version: CodeVersionFact,
  versions: readonly CodeVersionFact[],
): Date | undefined {
  let lapse: number | undefined;
  for (const other of versions) {
    if (other.publishedAt.getTime() <= version.publishedAt.getTime()) continue;
    const end = Math.max(other.transitionEndsAt.getTime(), other.publishedAt.getTime());
    if (lapse === undefined || end < lapse) lapse = end;
  }
  return lapse === undefined ? undefined : new Date(lapse);
}

/**
 * Is `version` accepted at `t`: published at or before t, and not past the transition period of
 * a successor? The rules ask it of the signed version (rule 3); the application form and the
 * reviewer's decision ask it of the version an application names.
 */
export function codeVersionAcceptedAt(
  version: CodeVersionFact,
  versions: readonly CodeVersionFact[],
  t: Date,
): boolean {
  if (version.publishedAt.getTime() > t.getTime()) return false;
  const lapse = codeVersionLapsesAt(version, versions);
  return lapse === undefined || t.getTime() < lapse.getTime();
}

/**
 * The listing that is still the provider's at the answer's instant: approved and neither expired
 * nor revoked (a suspended listing, or one whose code version or AAN participation lapsed, is).
 */
export function listingInForce(status: StatusAt): Listing | undefined {
  if (status.verantwoord) return status.listing;
  if (status.reason === 'expired' || status.reason === 'revoked') return undefined;
  return status.listing;
}

function listingOf(approval: StatusFact): Listing {
  if (!approval.validUntil || !approval.codeOfConductVersionId || !approval.aanSince) {
    throw new Error(`listing_approved event ${approval.sequence} lacks validUntil, code version or aanSince`);
  }
  return {
    approvedAt: approval.effectiveAt,
    validUntil: approval.validUntil,
    codeOfConductVersionId: approval.codeOfConductVersionId,
    aanSince: approval.aanSince,
  };
}

/** Is the provider verantwoord at `t`, and if not, why? */
export function statusAt(
  history: readonly StatusFact[],
  versions: readonly CodeVersionFact[],
  t: Date,
  options: StatusOptions = {},
): StatusAt {
  const knownAt = options.knownAt?.getTime();
  const known = history
    .filter((e) => knownAt === undefined || e.recordedAt.getTime() <= knownAt)
    .sort(inOrder);
  const at = t.getTime();
  const status = decide(known, versions, at);
  if (status.verantwoord) return { ...status, since: unbrokenSince(known, versions, at, status) };
  // A reason without a beginning (no history at all) stays so; any other begins where it began to hold.
  if (status.since === undefined && !status.listing) return status;
  return { ...status, since: unbrokenSince(known, versions, at, status) };
}

/** Whether two answers are the same for `since`: both verantwoord, or both not for the same reason. */
function sameAnswer(a: StatusAt, b: StatusAt): boolean {
  if (a.verantwoord || b.verantwoord) return a.verantwoord === b.verantwoord;
  return a.reason === b.reason;
}

/**
 * The instant from which the answer at `at` has held without a break. The status only changes at
 * the instants named in the history and the code versions, so it is enough to look there. Never
 * before the provider's first recorded event: an approval on a version that had already lapsed is
 * "not verantwoord" from that approval, not from the lapse years before the provider existed.
 */
function unbrokenSince(
  known: StatusFact[],
  versions: readonly CodeVersionFact[],
  at: number,
  answer: StatusAt,
): Date {
  const first = known.reduce((min, e) => Math.min(min, e.effectiveAt.getTime()), Infinity);
  const instants = new Set<number>();
  for (const e of known) {
    for (const d of [e.effectiveAt, e.validUntil, e.suspendedUntil, e.aanSince])
      if (d) instants.add(d.getTime());
  }
  for (const v of versions) instants.add(v.publishedAt.getTime()).add(v.transitionEndsAt.getTime());
  let since = at;
  for (const instant of [...instants].filter((i) => i <= at && i >= first).sort((a, b) => b - a)) {
    if (!sameAnswer(decide(known, versions, instant), answer)) break;
    since = instant;
  }
  return new Date(since);
}

/** The rules themselves, over a history already in order; `since` of a verantwoord answer is filled in by the caller. */
function decide(known: StatusFact[], versions: readonly CodeVersionFact[], at: number): StatusAt {
  const seen = known.filter((e) => e.effectiveAt.getTime() <= at);
  const approval = seen.findLast((e) => e.kind === 'listing_approved');
  if (!approval) return beforeAnyListing(seen);

  const listing = listingOf(approval);
  const afterApproval = seen.slice(seen.indexOf(approval) + 1);

  // Rule 2: a revocation after the approval ends the listing for good.
  const revocation = afterApproval.find((e) => e.kind === 'revoked');
  if (revocation)
    return {
      verantwoord: false,
      reason: 'revoked',
      since: revocation.effectiveAt,
      cause: revocation,
      listing,
    };

  // Rule 1: the listing is in force from its approval up to validUntil.
  if (at >= listing.validUntil.getTime()) {
    return { verantwoord: false, reason: 'expired', since: listing.validUntil, cause: approval, listing };
  }

  // Rule 2: no suspension in force.
  const suspension = suspensionInForce(seen, at);
  if (suspension) {
    return {
      verantwoord: false,
      reason: 'suspended',
      since: suspension.effectiveAt,
      until: suspension.suspendedUntil ?? undefined,
      cause: suspension,
      listing,
    };
  }

  // Rule 3: the signed code-of-conduct version is accepted at t.
  const version = versions.find((v) => v.id === listing.codeOfConductVersionId);
  if (!version || !codeVersionAcceptedAt(version, versions, new Date(at))) {
    return {
      verantwoord: false,
      reason: 'code_of_conduct_outdated',
      since: version ? codeVersionLapsesAt(version, versions) : undefined,
      listing,
    };
  }

  // Rule 4: AAN participation is active at t.
  const aanEnd = aanParticipationEnd(seen, listing.aanSince);
  if (listing.aanSince.getTime() > at || aanEnd) {
    return {
      verantwoord: false,
      reason: 'aan_participation_ended',
      since: aanEnd?.effectiveAt,
      cause: aanEnd,
      listing,
    };
  }

  return { verantwoord: true, since: listing.approvedAt, listing };
}

function beforeAnyListing(seen: StatusFact[]): StatusAt {
  const last = [...seen]
    .reverse()
    .find(
      (e) =>
        e.kind === 'application_submitted' ||
        e.kind === 'application_withdrawn' ||
        e.kind === 'application_rejected',
    );
  if (last?.kind === 'application_submitted') {
    return { verantwoord: false, reason: 'application_pending', since: last.effectiveAt, cause: last };
  }
  if (last?.kind === 'application_rejected') {
    return { verantwoord: false, reason: 'rejected', since: last.effectiveAt, cause: last };
  }
  return { verantwoord: false, reason: 'not_listed', since: last?.effectiveAt, cause: last };
}

/** The suspension in force at `at`, if any: the last one started and neither lifted nor run out. */
function suspensionInForce(seen: StatusFact[], at: number): StatusFact | undefined {
  let current: StatusFact | undefined;
  for (const e of seen) {
    if (e.kind === 'suspended') current = e;
    else if (e.kind === 'suspension_lifted') current = undefined;
  }
  if (current?.suspendedUntil && at >= current.suspendedUntil.getTime()) return undefined;
  return current;
}

/** The end of AAN participation in force, if the last AAN change since `aanSince` was an end. */
function aanParticipationEnd(seen: StatusFact[], aanSince: Date): StatusFact | undefined {
  let last: StatusFact | undefined;
  for (const e of seen) {
    if (e.effectiveAt.getTime() < aanSince.getTime()) continue;
    if (e.kind === 'aan_participation_ended' || e.kind === 'aan_participation_resumed') last = e;
  }
  return last?.kind === 'aan_participation_ended' ? last : undefined;
}

/**
 * The first instant after `t` at which the status may change by itself (an event taking effect,
 * a listing ending, a suspension running out, a code version lapsing), or undefined when nothing
 * further is scheduled. Between two such instants the status is constant, which is what lets a
 * stored snapshot stay right until then.
 */
export function nextStatusChange(
  history: readonly StatusFact[],
  versions: readonly CodeVersionFact[],
  t: Date,
): Date | undefined {
  const at = t.getTime();
  let next: number | undefined;
  const consider = (d: Date | null | undefined) => {
    const ms = d?.getTime();
    if (ms !== undefined && ms > at && (next === undefined || ms < next)) next = ms;
  };
  for (const e of history) [e.effectiveAt, e.validUntil, e.suspendedUntil, e.aanSince].forEach(consider);
  // The code versions count only through the versions the provider's listings name (rule 3): each
  // is accepted from its publication up to its lapse. Other versions change nothing for this
  // provider, so their dates do not make its snapshot due (a new version is no herd).
  for (const id of signedVersionIds(history)) {
    const version = versions.find((v) => v.id === id);
    if (version) [version.publishedAt, codeVersionLapsesAt(version, versions)].forEach(consider);
  }
  return next === undefined ? undefined : new Date(next);
}

/** The code-of-conduct versions the provider's listings were approved on. */
export function signedVersionIds(history: readonly StatusFact[]): Set<string> {
  const ids = new Set<string>();
  for (const e of history)
    if (e.kind === 'listing_approved' && e.codeOfConductVersionId) ids.add(e.codeOfConductVersionId);
  return ids;
}

/**
 * The end of AAN participation that is recorded for `listing` but lies after `t` (a list's future
 * `deelname_tot`), when participation is active at t and the next AAN change is that end: what a
 * page shows as "AAN participation ends on …" while the provider is still verantwoord.
 */
export function plannedAanEnd(history: readonly StatusFact[], listing: Listing, t: Date): Date | undefined {
  const at = t.getTime();
  const events = history
    .filter((e) => e.effectiveAt.getTime() >= listing.aanSince.getTime())
    .filter((e) => e.kind === 'aan_participation_ended' || e.kind === 'aan_participation_resumed')
    .sort(inOrder);
  if (
    aanParticipationEnd(
      events.filter((e) => e.effectiveAt.getTime() <= at),
      listing.aanSince,
    )
  )
    return undefined;
  const next = events.find((e) => e.effectiveAt.getTime() > at);
  return next?.kind === 'aan_participation_ended' ? next.effectiveAt : undefined;
}
