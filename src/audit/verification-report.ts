import { must } from '../shared/must';
import type { VerificationAnchor } from './audit.queries';
import type { ChainBreak, ChainVerification } from './audit.service';

const count = (n: number) => n.toLocaleString('en-GB');
const events = (n: number) => `${count(n)} ${n === 1 ? 'event' : 'events'}`;

const PROBLEMS: Record<ChainBreak['problem'], (b: ChainBreak) => string> = {
  content_mismatch: () => 'its content was changed',
  predecessor_mismatch: () => 'its predecessor was changed or removed',
  anchor_missing: () => 'it is gone: the log was cut short or the event removed',
  anchor_mismatch: (b) =>
    `it no longer has the hash ${b.anchor ? b.anchor.headHash : 'an earlier verification vouched for'}: the log was rewritten from this event or before`,
  leaf_mismatch: () =>
    'its leaf in the transparency log is not the one its content makes: the event or the Merkle tree was changed',
  log_shrank: (b) =>
    `the log ends here, but ${checkpointOf(b)} holds ${b.checkpoint ? count(b.checkpoint.treeSize) : 'more'} events: events were removed`,
  checkpoint_mismatch: (b) =>
    `the tree of the ${b.checkpoint ? `first ${count(b.checkpoint.treeSize)} events` : 'events up to here'} is not the one ${checkpointOf(b)} vouches for: the log was rewritten up to here`,
  checkpoint_signature: (b) =>
    `${checkpointOf(b)} (${b.checkpoint && !b.checkpoint.latest ? `of ${events(b.checkpoint.treeSize)}, not the latest` : 'the latest'}, up to this event) is not signed by the log key, or its record was changed`,
  checkpoint_missing: (b) =>
    `the checkpoint the signer last signed${b.checkpoint ? ` — ${events(b.checkpoint.treeSize)}, signed at ${b.checkpoint.signedAt.toISOString()} —` : ''} is not in the database: checkpoints were removed`,
  status_event_missing: (b) =>
    `it records status event ${rowOf(b)}, and status_events no longer holds it: the status change was removed${more(b)}`,
  status_event_unlogged: (b) =>
    `status_events holds status event ${rowOf(b)}, and no status.* event in the log up to here records it: the status change was added behind the log${more(b)}`,
  status_event_altered: (b) =>
    `status_events row ${rowOf(b)} disagrees with this event (kind, provider, times or details): the status change was altered behind the log${more(b)}`,
  attestation_missing: (b) =>
    `it records the issue of attestation ${rowOf(b)}, and attestations no longer holds it: the attestation was removed${more(b)}`,
  attestation_unlogged: (b) =>
    `attestations holds attestation ${rowOf(b)}, and no attestation.issued event in the log up to here records it: the attestation was added behind the log${more(b)}`,
  attestation_altered: (b) =>
    `attestation ${rowOf(b)} disagrees with this event (number, provider, PDF hash, validity or issue time): the attestation was altered behind the log${more(b)}`,
};

/** The row a register break names, in words. */
const rowOf = (b: ChainBreak) => b.register?.row ?? '(which one: run audit:verify --full)';

/** How many more rows or events of that table disagree, in words. */
function more(b: ChainBreak): string {
  const others = (b.register?.count ?? 1) - 1;
  return others > 0
    ? `; ${count(others)} more ${others === 1 ? 'disagreement' : 'disagreements'} in that table`
    : '';
}

/**
 * Which checkpoint, in words: "the checkpoint signed at 2026-11-29T10:00:00.000Z", or "the
 * checkpoint the signer last signed (at …)" when the database does not hold it.
 */
function checkpointOf(b: ChainBreak): string {
  if (!b.checkpoint) return 'the latest checkpoint';
  const at = b.checkpoint.signedAt.toISOString();
  return b.checkpoint.remembered
    ? `the checkpoint the signer last signed (signed at ${at}; not in the database)`
    : `the checkpoint signed at ${at}`;
}

/** Which earlier verification, in words: "the verification of 2026-11-29T10:00:00.000Z by cli:audit:verify". */
const verificationOf = (anchor: VerificationAnchor, who: (actor: string) => string) =>
  `the verification of ${anchor.verifiedAt.toISOString()} by ${who(anchor.verifiedBy)}`;

/**
 * What `audit:verify` prints, in English like the rest of the command line: the verdict, what the
 * run covered, and for an incremental run plainly what it did not re-check. `who` says who an
 * earlier verification's actor is (`auditor:<id>` with the address of that account).
 */
export function verificationReport(
  result: ChainVerification,
  asked: 'full' | 'incremental',
  milliseconds: number,
  who: (actor: string) => string = (actor) => actor,
): string[] {
  const took = `${(milliseconds / 1000).toFixed(1)} s`;
  const { broken, recorded } = result;
  if (broken && recorded) {
    return [
      `Audit log BROKEN at event ${broken.id} (${PROBLEMS[broken.problem](broken)}): found by the ${recorded.mode} verification of ${recorded.verifiedAt.toISOString()} by ${who(recorded.verifiedBy)}, and no full verification has found the log intact since.`,
      'Nothing was checked now. Run audit:verify --full: only a full run that finds the log intact clears the break.',
    ];
  }
  if (broken) {
    // A link break stops the walk: the events after it were not looked at.
    const stopped =
      broken.problem === 'content_mismatch' || broken.problem === 'predecessor_mismatch'
        ? `; the events after event ${broken.id} were not checked`
        : '';
    const vouched =
      broken.anchor && broken.problem !== 'content_mismatch'
        ? ` (vouched for by ${verificationOf(broken.anchor, who)})`
        : '';
    return [
      `Audit log BROKEN at event ${broken.id}${vouched} (${PROBLEMS[broken.problem](broken)}); ${events(result.checked)} checked${stopped}.`,
    ];
  }
  const head = [
    ...(result.head
      ? [
          `Head: event ${result.head.id}, hash ${result.head.hash} (${events(result.eventCount ?? 0)} up to it).`,
        ]
      : []),
    ...(result.counts
      ? [
          `The register agrees with the log: ${count(result.counts.statusEvents)} status events and ${count(result.counts.attestations)} attestations, each recorded by its event${result.mode === 'incremental' ? " (the new events' rows, and the counts)" : ''}.`,
        ]
      : []),
    ...(result.checkpoint
      ? [
          `Agrees with the latest signed checkpoint of the transparency log (the newer of the database's and the one the signer remembers): ${events(result.checkpoint.treeSize)}, signed at ${result.checkpoint.signedAt.toISOString()}.`,
        ]
      : []),
  ];
  if (result.mode === 'full') {
    return [
      ...(asked === 'incremental'
        ? ['No earlier verification to continue from: checked the whole log.']
        : []),
      `Audit log intact: ${events(result.checked)} checked (the whole log) in ${took}.`,
      ...head,
    ];
  }
  const anchor = must(result.anchor, 'an incremental run continues from an anchor');
  const before = anchor.eventCount - 1;
  return [
    `Audit log intact from event ${anchor.headId} on: ${events(result.checked)} checked in ${took}, continuing from ${verificationOf(anchor, who)}.`,
    `Not re-checked: the content of the ${events(before)} before event ${anchor.headId}; only the hashes earlier verifications vouched for were compared. audit:verify --full re-checks every event.`,
    ...head,
  ];
}
