import type { DataSource, EntityManager } from 'typeorm';
import { formatCheckpoint } from '../../monitor/lib/checkpoint';
import { signTimestampedNote } from '../../monitor/lib/cosignature';
import { checkpointNoteProblem } from '../audit/log-check';
import { storedRootAt, storedTreeSize } from '../audit/merkle.queries';
import { checkpointDue } from './checkpoint-rules';
import { insertCheckpoint, latestCheckpoint, type StoredCheckpoint } from './checkpoint.queries';
import type { LogKey } from './log-key';
import { rootAt } from './proofs';
import { type RememberedCheckpoint, SignerMemory } from './signer-memory';

/** The advisory lock that keeps two instances from signing at once. */
const CHECKPOINT_LOCK = 7_306_117_016;

export type CheckpointOutcome =
  | { outcome: 'signed'; treeSize: number; rootHash: Buffer; note: string }
  /** Nothing due: not grown, or grown within the interval and signed less than a day ago. */
  | { outcome: 'not_due'; last: StoredCheckpoint }
  /** Another instance is signing right now. */
  | { outcome: 'busy' }
  /**
   * The stored tree or the stored checkpoints disagree with what was signed before (the database's
   * last checkpoint, or what the signer remembers outside the database): nothing was signed or recorded.
   */
  | { outcome: 'refused'; reason: string; last?: StoredCheckpoint };

/** What signs checkpoints: the log key, and its memory of what it last signed (outside the database). */
export interface LogSigner {
  key: LogKey;
  memory: SignerMemory;
}

const when = (c: { treeSize: number; signedAt: Date }) =>
  `${c.treeSize} leaves, signed at ${c.signedAt.toISOString()}`;

/**
 * Why signing the stored tree of `size` leaves would contradict a checkpoint signed before, or
 * undefined. `remembered` is what the signer last signed (outside the database), `last` the
 * database's latest checkpoint: the database must still hold the remembered one as its latest, or
 * a later one the log key signed (another instance sharing the file); the latest's row must say
 * what its note says; and the stored tree must still have, at each one's size, its root.
 */
async function contradiction(
  manager: EntityManager,
  key: LogKey,
  size: number,
  remembered: RememberedCheckpoint | undefined,
  last: StoredCheckpoint | undefined,
  file: string,
): Promise<string | undefined> {
  if (remembered) {
    const signed = `the checkpoint this signer last signed (${when(remembered)}; ${file})`;
    if (remembered.origin !== key.origin)
      return `${signed} is of origin "${remembered.origin}", the log key's origin is "${key.origin}"`;
    if (size < remembered.treeSize) return `the stored tree has ${size} leaves, fewer than ${signed}`;
    if (!(await storedRootAt(manager, remembered.treeSize))?.equals(remembered.rootHash))
      return `the stored tree's root at size ${remembered.treeSize} is not the root of ${signed}`;
    if (!last) return `log_checkpoints holds no checkpoint, not even ${signed}`;
    if (last.treeSize < remembered.treeSize)
      return `log_checkpoints' latest row ${last.id} (${when(last)}) is older than ${signed}`;
    if (
      last.treeSize === remembered.treeSize &&
      (!last.rootHash.equals(remembered.rootHash) || last.note !== remembered.note)
    )
      return `log_checkpoints' latest row ${last.id} (${when(last)}) is not ${signed}: its root or note differs`;
  }
  if (!last) return undefined;
  const problem = checkpointNoteProblem(last, key.verifierKey);
  if (problem) return problem;
  if (size < last.treeSize)
    return `the stored tree has ${size} leaves, fewer than the ${last.treeSize} of the checkpoint signed at ${last.signedAt.toISOString()}`;
  if (
    last.treeSize !== remembered?.treeSize &&
    !(await storedRootAt(manager, last.treeSize))?.equals(last.rootHash)
  )
    return `the stored tree's root at size ${last.treeSize} is not the root of the checkpoint signed at ${last.signedAt.toISOString()}`;
  return undefined;
}

/**
 * Signs a checkpoint of the stored tree when one is due (`checkpointDue`), on whichever instance
 * takes the lock. A log MUST NOT sign a checkpoint inconsistent with one it signed before (C2SP
 * tlog-checkpoint), and the database that holds the earlier checkpoints is in an insider's hands:
 * so the signer also remembers what it last signed in a file (`LogSigner.memory`), and refuses,
 * recording nothing, when the stored tree or the stored checkpoints contradict it (`contradiction`).
 * With no file yet but checkpoints in the database, it adopts the latest one whose note the log
 * key signed, and says so.
 */
export async function signCheckpointIfDue(
  dataSource: DataSource,
  signer: LogSigner,
  now: Date,
  options: { intervalSeconds: number; asked?: boolean },
): Promise<CheckpointOutcome> {
  const { key, memory } = signer;
  const outcome = await dataSource.transaction(async (manager): Promise<CheckpointOutcome> => {
    const [lock] = await manager.query<{ taken: boolean }[]>(
      'SELECT pg_try_advisory_xact_lock($1) AS taken',
      [CHECKPOINT_LOCK],
    );
    if (!lock?.taken) return { outcome: 'busy' };
    const last = await latestCheckpoint(manager);
    let remembered: RememberedCheckpoint | undefined;
    try {
      remembered = memory.recall();
    } catch (error) {
      return { outcome: 'refused', reason: (error as Error).message, ...(last ? { last } : {}) };
    }
    if (!remembered && last) {
      const problem = checkpointNoteProblem(last, key.verifierKey);
      if (problem)
        return {
          outcome: 'refused',
          last,
          reason: `the signer's state file ${memory.file} is missing and the database's latest checkpoint cannot be adopted: ${problem}`,
        };
      remembered = { origin: key.origin, ...last };
      memory.adopt({ ...remembered, id: last.id });
    }
    const size = await storedTreeSize(manager);
    if (last && !checkpointDue(last, size, now, options.intervalSeconds, options.asked)) {
      // Not due by the row, but is the row right? A signed_at moved forward, past its signed
      // note's time, would otherwise keep the signer waiting in silence.
      const problem = checkpointNoteProblem(last, key.verifierKey);
      if (problem) return { outcome: 'refused', reason: problem, last };
      return { outcome: 'not_due', last };
    }
    const reason = await contradiction(manager, key, size, remembered, last, memory.file);
    if (reason) return { outcome: 'refused', reason, ...(last ? { last } : {}) };
    const rootHash = await rootAt(manager, size);
    // Two signature lines: the note signature, and the log's own cosignature/v1 with the signing
    // time, so every checkpoint (also the daily one of a log that did not grow) says when it was signed.
    const note = signTimestampedNote(
      formatCheckpoint({ origin: key.origin, size, root: rootHash, extensions: [] }),
      key.origin,
      key.privateKey,
      Math.floor(now.getTime() / 1000),
    );
    await insertCheckpoint(manager, { treeSize: size, rootHash, signedAt: now, note });
    return { outcome: 'signed', treeSize: size, rootHash, note };
  });
  // Who asks whether signing has stopped (/transparantie, a pending attestation) hears of a refusal.
  if (outcome.outcome === 'refused') memory.attempted({ at: now, reason: outcome.reason });
  else if (outcome.outcome !== 'busy') memory.attempted(undefined);
  // Remembered once the row has committed: a checkpoint that was never published is no constraint.
  if (outcome.outcome === 'signed')
    memory.remember({
      origin: key.origin,
      treeSize: outcome.treeSize,
      rootHash: outcome.rootHash,
      signedAt: now,
      note: outcome.note,
    });
  return outcome;
}

/** The signer of a process: the log key and the memory in LOG_SIGNER_STATE_FILE, read now. */
export function logSigner(key: LogKey, stateFile: string, warn: (message: string) => void): LogSigner {
  return { key, memory: new SignerMemory(stateFile, warn) };
}
