import { paths } from '../shared/paths';
import { groupedFingerprint } from './attestation.pdf';
import type { AttestationAnswer } from './attestation.service';
import type { AttestationProof } from '../transparency/attestation-proof';

/** What a page shows of an attestation and its status now: keys and dates, no logic left for the template. */
export function attestationView(answer: AttestationAnswer) {
  const { attestation, status, provider } = answer;
  return {
    number: attestation.number,
    state: status.state,
    valid: status.state === 'valid',
    stateKey: `attestation.state.${status.state}`,
    explanationKey: `attestation.explanation.${status.state}`,
    since: status.since,
    until: status.until,
    reasonKey: status.reason ? `status.reason.${status.reason}` : undefined,
    causeReason: answer.causeReason,
    issuedAt: attestation.issuedAt,
    validUntil: attestation.validUntil,
    fingerprint: groupedFingerprint(attestation.fingerprint),
    provider: {
      legalName: provider.legalName,
      kvkNumber: provider.kvkNumber,
      url: paths.provider(provider.kvkNumber),
    },
    url: paths.verificationOf(attestation.number),
    pdfUrl: paths.verificationPdf(attestation.number),
  };
}

/** What a page shows of an attestation's place in the transparency log. */
export function logProofView(
  number: string,
  proof: AttestationProof | undefined,
  /** About how long it waits for its proof (`pendingWait`); undefined when the log is behind. */
  waitSeconds: number | undefined,
) {
  if (!proof) return undefined;
  if (proof.state === 'missing')
    return {
      state: proof.state,
      included: false,
      missing: true,
      reason: proof.reason,
      reasonKey: `attestation.log.missingReason.${proof.reason}`,
      logUrl: paths.log,
    };
  if (proof.state === 'pending')
    return {
      state: proof.state,
      included: false,
      leafIndex: proof.leafIndex,
      seconds: waitSeconds,
      behind: waitSeconds === undefined,
      logUrl: paths.log,
    };
  return {
    state: proof.state,
    included: true,
    leafIndex: proof.leafIndex,
    treeSize: proof.treeSize,
    signedAt: proof.signedAt,
    checkpoint: proof.checkpoint,
    proof: proof.proof.map((hash) => hash.toString('base64')),
    proofUrl: paths.verificationProof(number),
    logUrl: paths.log,
    keyUrl: paths.logKey,
  };
}
