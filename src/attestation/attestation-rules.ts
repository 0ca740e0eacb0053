import { addMonths } from '../shared/time';
import {
  codeVersionLapsesAt,
  type CodeVersionFact,
  type Listing,
  nextStatusChange,
  plannedAanEnd,
  type ReasonCode,
  type StatusFact,
  statusAt,
} from '../status/status-rules';

/** An attestation is valid for at most this many months from its issue (design §3). */
export const ATTESTATION_MONTHS = 12;

/**
 * The end of validity of an attestation issued at `issuedAt` on `listing`: the earlier of the
 * listing's end and 12 months (design §3), where the listing in effect ends at what is already
 * known at issue to end it: the announced lapse of its code-of-conduct version and a planned end
 * of its AAN participation. The provider stays verantwoord after such an end only by a new
 * listing (another version, a resumed participation), which gets attestations of its own; this
 * one never promises beyond it.
 */
export function attestationValidUntil(
  listing: Listing,
  history: readonly StatusFact[],
  versions: readonly CodeVersionFact[],
  issuedAt: Date,
): Date {
  const signed = versions.find((v) => v.id === listing.codeOfConductVersionId);
  const ends = [
    listing.validUntil,
    addMonths(issuedAt, ATTESTATION_MONTHS),
    signed && codeVersionLapsesAt(signed, versions),
    plannedAanEnd(history, listing, issuedAt),
  ];
  return new Date(Math.min(...ends.flatMap((end) => (end ? [end.getTime()] : []))));
}

export const ATTESTATION_STATES = ['valid', 'suspended', 'revoked', 'expired'] as const;
export type AttestationState = (typeof ATTESTATION_STATES)[number];

export interface AttestationStatus {
  state: AttestationState;
  /** Since when this state holds (absent for valid: it holds since issue). */
  since?: Date;
  /** The planned end of a suspension, if any. */
  until?: Date;
  /** Why the provider lost its status (revoked) or is suspended. */
  reason?: ReasonCode;
  /** The status event behind the reason, when one did it. */
  cause?: StatusFact;
}

/**
 * The status of an attestation at `t`, by the status rules over the provider's history (design
 * §3): revoked from the first instant after issue at which the provider stopped being verantwoord
 * for any reason but a suspension (and for good: a revoked attestation never comes back); else
 * expired from its end of validity; else suspended while the provider is suspended (valid again
 * when the suspension ends or is lifted); else valid. Pure: the clock is a parameter.
 */
export function attestationStatusAt(
  attestation: { issuedAt: Date; validUntil: Date },
  history: readonly StatusFact[],
  versions: readonly CodeVersionFact[],
  t: Date,
): AttestationStatus {
  // The status only changes at the instants the history names; look at each one from issue up to
  // t, before the end of validity (at that instant the listing itself may end: that is expiry).
  const inScope = (at: Date | undefined): at is Date =>
    at !== undefined && at.getTime() <= t.getTime() && at.getTime() < attestation.validUntil.getTime();
  for (let at: Date | undefined = attestation.issuedAt; inScope(at);) {
    const status = statusAt(history, versions, at);
    if (!status.verantwoord && status.reason !== 'suspended') {
      return { state: 'revoked', since: at, reason: status.reason, cause: status.cause };
    }
    at = nextStatusChange(history, versions, at);
  }
  if (t.getTime() >= attestation.validUntil.getTime())
    return { state: 'expired', since: attestation.validUntil };
  const now = statusAt(history, versions, t);
  if (!now.verantwoord && now.reason === 'suspended') {
    return { state: 'suspended', since: now.since, until: now.until, reason: 'suspended', cause: now.cause };
  }
  return { state: 'valid' };
}
