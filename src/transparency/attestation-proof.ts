import type { EntityManager } from 'typeorm';
import { formatTlogProof } from '../../monitor/lib/proof';
import { latestCheckpoint } from './checkpoint.queries';
import { servedNote } from './cosignatures';
import { inclusionProofAt } from './proofs';
import { leafEntries } from '../audit/merkle.queries';
import type { LogSigner } from './checkpoint.service';
import { logStanding } from './signer-standing';

/**
 * Where an attestation's issue event stands in the transparency log:
 * - `included`: a signed checkpoint covers its leaf; the inclusion proof leads from the leaf to
 *   that checkpoint's root, and `entry` is the leaf's content (the bytes the entry bundle serves);
 * - `pending`: just issued, no checkpoint covers it yet (the next one is signed within the interval);
 * - `missing`: the log does not record its issue: no `attestation.issued` event names it
 *   (`issue_event_missing`), or its event has no leaf (`leaf_missing`). The register writes the
 *   attestation, its event and the leaf in one transaction, so a real attestation is never here,
 *   not even just issued: such a row was put in the database behind the log (or the log was cut),
 *   and its answer must not be relied on without asking the register.
 */
export type AttestationProof =
  | {
      state: 'included';
      leafIndex: number;
      treeSize: number;
      signedAt: Date;
      /** The signed checkpoint, verbatim, with the witnesses' cosignatures collected so far. */
      checkpoint: string;
      proof: Buffer[];
      entry: Buffer;
    }
  | { state: 'pending'; leafIndex: number }
  | { state: 'missing'; reason: MissingFromLog; issuedAt: Date; latestSignedAt: Date | null };

/** Why an attestation's issue is not in the log. */
export const MISSING_FROM_LOG = ['issue_event_missing', 'leaf_missing'] as const;
export type MissingFromLog = (typeof MISSING_FROM_LOG)[number];

/**
 * How long a just-issued attestation waits for a checkpoint, at most: the signer looks every
 * interval, and signs when the last checkpoint is at least an interval old.
 */
export const pendingSeconds = (checkpointIntervalSeconds: number) => 2 * checkpointIntervalSeconds;

/**
 * How long a pending attestation waits for its proof: about `pendingSeconds`, or undefined when the
 * log's checkpoints are not keeping up (`LogStanding.stalled`: behind, the last signing refused, or
 * the signer's memory and the database disagree): then no time can be promised, the proof follows
 * once the register signs again.
 */
export async function pendingWait(
  manager: EntityManager,
  signer: LogSigner,
  now: Date,
  checkpointIntervalSeconds: number,
): Promise<number | undefined> {
  const standing = await logStanding(
    manager,
    signer.memory,
    signer.key.verifierKey,
    now,
    checkpointIntervalSeconds,
  );
  return standing.stalled ? undefined : pendingSeconds(checkpointIntervalSeconds);
}

/**
 * Attestation `number`'s issue time, its `attestation.issued` event (the first, if any) and that
 * event's leaf index (if any); undefined when there is no such attestation. Index lookups only.
 */
async function issueRecord(
  manager: EntityManager,
  number: string,
): Promise<{ issuedAt: Date; eventId: string | null; leafIndex: number | null } | undefined> {
  const [row] = await manager.query<{ issuedAt: Date; eventId: string | null; leafIndex: number | null }[]>(
    `SELECT a.issued_at AS "issuedAt", e.id::text AS "eventId", l.leaf_index::float8 AS "leafIndex"
       FROM attestations a
       -- An organisation whose identity nobody confirmed is in no public output (issue 17).
       JOIN providers p ON p.id = a.provider_id AND p.identity_confirmed_at IS NOT NULL
       LEFT JOIN LATERAL (
         SELECT e.id FROM audit_events e
          WHERE e.subject_type = 'attestation' AND e.subject_id = a.id::text AND e.action = 'attestation.issued'
          ORDER BY e.id LIMIT 1) e ON true
       LEFT JOIN merkle_leaves l ON l.event_id = e.id
      WHERE a.number = $1`,
    [number],
  );
  return row;
}

/**
 * The proof that attestation `number` was issued, against the latest signed checkpoint (which
 * covers the leaf whenever any checkpoint does: checkpoints only grow); `missing` when the log does
 * not record the issue. Undefined only when there is no such attestation.
 */
export async function attestationProof(
  manager: EntityManager,
  number: string,
): Promise<AttestationProof | undefined> {
  const record = await issueRecord(manager, number);
  if (!record) return undefined;
  const checkpoint = await latestCheckpoint(manager);
  const { leafIndex } = record;
  if (leafIndex === null)
    return {
      state: 'missing',
      reason: record.eventId === null ? 'issue_event_missing' : 'leaf_missing',
      issuedAt: record.issuedAt,
      latestSignedAt: checkpoint?.signedAt ?? null,
    };
  if (!checkpoint || checkpoint.treeSize <= leafIndex) return { state: 'pending', leafIndex };
  // The tree is append-only: the nodes of a signed size never change, so no lock is needed.
  const [proof, entries, note] = await Promise.all([
    inclusionProofAt(manager, leafIndex, checkpoint.treeSize),
    leafEntries(manager, leafIndex, 1),
    servedNote(manager, checkpoint),
  ]);
  const entry = entries[0];
  if (!entry)
    return {
      state: 'missing',
      reason: 'leaf_missing',
      issuedAt: record.issuedAt,
      latestSignedAt: checkpoint.signedAt,
    };
  return {
    state: 'included',
    leafIndex,
    treeSize: checkpoint.treeSize,
    signedAt: checkpoint.signedAt,
    checkpoint: note,
    proof,
    entry,
  };
}

/**
 * The C2SP tlog-proof file of an included attestation: the issue event's leaf entry as `extra` (its
 * public data holds the number and the PDF's SHA-256 that `monitor check-proof` needs), index, proof, checkpoint.
 */
export function tlogProofFile(proof: Extract<AttestationProof, { state: 'included' }>): string {
  return formatTlogProof({
    extra: proof.entry,
    index: proof.leafIndex,
    proof: proof.proof,
    checkpoint: proof.checkpoint,
  });
}
