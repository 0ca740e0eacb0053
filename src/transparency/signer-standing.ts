import type { EntityManager } from 'typeorm';
import { holdsCheckpoint, storedTreeSize } from '../audit/merkle.queries';
import { checkpointsBehind } from './checkpoint-rules';
import { latestCheckpoint, type StoredCheckpoint } from './checkpoint.queries';
import { servedNote } from './cosignatures';
import { noteSignedAt } from './log-key';
import { recallSafely, type RememberedCheckpoint, type SignerMemory } from './signer-memory';

/**
 * The database's word on the log's checkpoints beside the signer's: what the signer remembers
 * signing last (outside the database, which an insider controls) and how its last attempt ended.
 */
export interface SignerStanding {
  /** The database's latest checkpoint. */
  latest?: StoredCheckpoint;
  /** What the signer remembers signing last; undefined without a memory file (a fresh install). */
  remembered?: RememberedCheckpoint;
  /** The memory file is there but cannot be read: its message. */
  unreadable?: string;
  /**
   * The signer's memory and the database disagree: it remembers a checkpoint log_checkpoints does
   * not hold (a later one than the database's latest, or one removed or rewritten), or the file
   * cannot be read.
   */
  disagrees: boolean;
  /** When the last signing attempt (in this process) was refused; undefined when it was not. */
  refusedAt?: Date;
}

/** Where the signer and the database stand (`SignerStanding`). */
export async function signerStanding(manager: EntityManager, memory: SignerMemory): Promise<SignerStanding> {
  const latest = await latestCheckpoint(manager);
  const { remembered, unreadable } = recallSafely(memory);
  const held = remembered ? await holdsCheckpoint(manager, remembered) : true;
  const refusedAt = memory.lastRefusal()?.at;
  return {
    ...(latest ? { latest } : {}),
    ...(remembered ? { remembered } : {}),
    ...(unreadable ? { unreadable } : {}),
    disagrees: unreadable !== undefined || !held,
    ...(refusedAt ? { refusedAt } : {}),
  };
}

/**
 * The checkpoint /transparantie/checkpoint serves: the newer (by size) of the database's latest
 * and the signer's remembered one, the remembered note verbatim when the database does not hold
 * it. So a monitor sees the latest checkpoint the log key signed, even when an insider removed it
 * from the database, and fails on the tiles that do not rebuild it. Undefined when none was signed.
 */
export async function servedCheckpoint(
  manager: EntityManager,
  standing: SignerStanding,
): Promise<{ treeSize: number; signedAt: Date; note: string } | undefined> {
  const remembered = rememberedServed(standing);
  if (remembered) return remembered;
  const { latest } = standing;
  return latest && { ...latest, note: await servedNote(manager, latest) };
}

/** The signer's remembered checkpoint when it is the one to serve: not in the database, and not older than its latest. */
export function rememberedServed(standing: SignerStanding): RememberedCheckpoint | undefined {
  const { latest, remembered } = standing;
  return remembered && standing.disagrees && remembered.treeSize >= (latest?.treeSize ?? 0)
    ? remembered
    : undefined;
}

/** The size of the tree the served checkpoint covers (the tiles up to it are served). */
export function servedTreeSize(standing: SignerStanding): number | undefined {
  return rememberedServed(standing)?.treeSize ?? standing.latest?.treeSize;
}

/** The log's state as /transparantie and an attestation's page show it. */
export interface LogStanding extends SignerStanding {
  /** How many leaves the stored tree holds. */
  treeSize: number;
  /** When the database's latest checkpoint was signed: its note's time when it has one. */
  signedAt?: Date;
  /** The database's latest checkpoint is older than the signer allows (`checkpointsBehind`). */
  behind: boolean;
  /** Checkpoints are not keeping up: behind, refused at the last attempt, or the signer's memory disagrees. */
  stalled: boolean;
}

/** Where the log stands at `now`: `LogStanding`. */
export async function logStanding(
  manager: EntityManager,
  memory: SignerMemory,
  verifierKey: string,
  now: Date,
  intervalSeconds: number,
): Promise<LogStanding> {
  const [treeSize, standing] = await Promise.all([storedTreeSize(manager), signerStanding(manager, memory)]);
  const { latest } = standing;
  // The time in the signed note when it has one: the row's signed_at is the database's word.
  const signedAt = latest && (noteSignedAt(latest.note, verifierKey) ?? latest.signedAt);
  const behind =
    latest !== undefined &&
    signedAt !== undefined &&
    checkpointsBehind({ treeSize: latest.treeSize, signedAt }, treeSize, now, intervalSeconds);
  return {
    ...standing,
    treeSize,
    ...(signedAt ? { signedAt } : {}),
    behind,
    stalled: behind || standing.disagrees || standing.refusedAt !== undefined,
  };
}
