import { addMonths } from '../shared/time';
import {
  codeVersionLapsesAt,
  type CodeVersionFact,
  type Listing,
  plannedAanEnd,
  type StatusFact,
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

// An attestation's status is a status rule: status/ computes it too, to tell watchers of a change.
export {
  ATTESTATION_STATES,
  type AttestationState,
  type AttestationStatus,
  attestationStatusAt,
} from '../status/attestation-status';
