import {
  type CodeVersionFact,
  nextStatusChange,
  type ReasonCode,
  type StatusFact,
  statusAt,
} from './status-rules';

/*
 * The status of an attestation by the status rules. It lives in status/ (attestation/ re-exports
 * it) because a status change is also an attestation's change: the snapshot refresh tells the
 * buyers who watch a supplier of both (issue 18), and status/ reads no other domain.
 */

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
