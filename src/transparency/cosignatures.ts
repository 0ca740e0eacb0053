import type { DataSource, EntityManager } from 'typeorm';
import { parseCheckpoint } from '../../monitor/lib/checkpoint';
import {
  type Cosignature,
  CosignatureError,
  parseCosignature,
  parseWitnessKey,
  verifyCosignature,
} from '../../monitor/lib/cosignature';
import { checkText } from '../../monitor/lib/note';
import { CHECKPOINT_COLUMNS, type StoredCheckpoint } from '../audit/merkle.queries';

/** How far in the future (by the register's clock) a cosignature's time may be: clocks differ a little. */
export const COSIGNATURE_FUTURE_SECONDS = 10 * 60;

/** A witness's cosignature of a checkpoint, as kept. */
export interface StoredCosignature {
  checkpointId: string;
  witnessName: string;
  /** When the witness says it cosigned. */
  cosignedAt: Date;
  /** The signature line, verbatim, without its newline. */
  signatureLine: string;
}

/**
 * What became of a posted cosignature:
 * - `accepted`: kept (201); `again`: this witness's cosignature of that checkpoint was kept already (200);
 * - `malformed`: not a cosigned checkpoint, or a time too far in the future (400);
 * - `bad_signature`: by a configured witness, but it does not verify over that body (400);
 * - `unknown_witness`: no configured witness has this name and key ID (403);
 * - `unknown_checkpoint`: it verifies, but the register never signed a checkpoint with this body (404).
 */
export type CosignatureOutcome =
  | { outcome: 'accepted' | 'again'; witness: string; checkpointId: string; treeSize: number }
  | { outcome: 'malformed' | 'bad_signature' | 'unknown_witness' | 'unknown_checkpoint'; reason: string };

/** The note text of a signed note: everything up to and including the newline before the blank line. */
export function noteText(note: string): string {
  return note.slice(0, note.lastIndexOf('\n\n') + 1);
}

/**
 * A checkpoint as served: the log's signed note with the cosignatures collected for it appended
 * (a signed note may carry several signature lines; readers ignore the ones they do not know).
 */
export function cosignedNote(note: string, cosignatures: readonly StoredCosignature[]): string {
  return note + cosignatures.map((c) => `${c.signatureLine}\n`).join('');
}

/** The cosignatures of these checkpoints, by witness name within each. */
export async function cosignaturesOf(
  manager: EntityManager,
  checkpointIds: readonly string[],
): Promise<StoredCosignature[]> {
  if (checkpointIds.length === 0) return [];
  return manager.query<StoredCosignature[]>(
    `SELECT checkpoint_id::text AS "checkpointId", witness_name AS "witnessName",
            cosigned_at AS "cosignedAt", signature_line AS "signatureLine"
       FROM log_cosignatures WHERE checkpoint_id = ANY($1::bigint[])
      ORDER BY checkpoint_id DESC, witness_name`,
    [checkpointIds],
  );
}

/** A checkpoint's signed note with its collected cosignatures: what the log serves and proofs carry. */
export async function servedNote(manager: EntityManager, checkpoint: StoredCheckpoint): Promise<string> {
  return cosignedNote(checkpoint.note, await cosignaturesOf(manager, [checkpoint.id]));
}

/** The newest checkpoint the register signed whose note text is `text`, if any. */
async function checkpointWithText(
  manager: EntityManager,
  text: string,
): Promise<StoredCheckpoint | undefined> {
  const { size, root } = parseCheckpoint(text);
  const rows = await manager.query<StoredCheckpoint[]>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM log_checkpoints c
      WHERE c.tree_size = $1 AND c.root_hash = $2 ORDER BY c.id DESC`,
    [size, root],
  );
  return rows.find((row) => noteText(row.note) === text);
}

/**
 * Takes a witness's cosignature of one of the register's checkpoints, posted as a cosigned
 * checkpoint: the checkpoint's note text, a blank line and the witness's one signature line
 * (C2SP tlog-cosignature). It is kept, verbatim, for the newest checkpoint with that text, once per
 * witness. The signature itself is the authentication: only `witnesses` (LOG_WITNESS_KEYS) count.
 *
 * No audit event: a cosignature is not the register's act but a signed statement about its log,
 * kept in its own append-only table. As a leaf it would grow the tree, so every cosignature would
 * call for a new checkpoint to cosign.
 */
export async function acceptCosignature(
  dataSource: DataSource,
  witnesses: readonly string[],
  body: string,
  now: Date,
): Promise<CosignatureOutcome> {
  const split = body.lastIndexOf('\n\n');
  if (split < 0)
    return { outcome: 'malformed', reason: 'no blank line between the checkpoint and the cosignature' };
  const text = body.slice(0, split + 1);
  let cosignature: Cosignature;
  try {
    checkText(text);
    parseCheckpoint(text);
    cosignature = parseCosignature(body.slice(split + 2));
  } catch (error) {
    return { outcome: 'malformed', reason: (error as Error).message };
  }
  const keys = witnesses.map(parseWitnessKey);
  const witness = keys.find((key) => key.name === cosignature.name && key.keyId.equals(cosignature.keyId));
  if (!witness)
    return { outcome: 'unknown_witness', reason: `${cosignature.name} is not a witness of this log` };
  if (cosignature.timestamp > now.getTime() / 1000 + COSIGNATURE_FUTURE_SECONDS)
    return {
      outcome: 'malformed',
      reason: `the cosignature's time ${cosignature.timestamp} lies more than ${COSIGNATURE_FUTURE_SECONDS} seconds in the future`,
    };
  try {
    verifyCosignature(text, cosignature, witness);
  } catch (error) {
    if (!(error instanceof CosignatureError)) throw error;
    return { outcome: 'bad_signature', reason: error.message };
  }
  return dataSource.transaction(async (manager) => {
    const checkpoint = await checkpointWithText(manager, text);
    if (!checkpoint)
      return {
        outcome: 'unknown_checkpoint',
        reason: 'the register never signed a checkpoint with this body',
      };
    // One per witness and checkpoint: a second (a witness that cosigns the same checkpoint again
    // on its next run, or two posts at once) keeps the first.
    const inserted = await manager.query<unknown[]>(
      `INSERT INTO log_cosignatures (checkpoint_id, witness_name, key_id, cosigned_at, signature_line)
       VALUES ($1, $2, $3, to_timestamp($4), $5)
       ON CONFLICT (checkpoint_id, witness_name) DO NOTHING RETURNING 1`,
      [
        checkpoint.id,
        witness.name,
        witness.keyId,
        cosignature.timestamp,
        body.slice(split + 2).replace(/\n$/, ''),
      ],
    );
    return {
      outcome: inserted.length > 0 ? 'accepted' : 'again',
      witness: witness.name,
      checkpointId: checkpoint.id,
      treeSize: checkpoint.treeSize,
    };
  });
}
