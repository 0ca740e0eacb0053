import type { DataSource } from 'typeorm';
import { formatCheckpoint } from '../../monitor/lib/checkpoint';
import { signNote } from '../../monitor/lib/note';
import { storedTreeSize } from '../audit/merkle.queries';
import { checkpointDue } from './checkpoint-rules';
import { insertCheckpoint, latestCheckpoint, type StoredCheckpoint } from './checkpoint.queries';
import type { LogKey } from './log-key';
import { rootAt } from './proofs';

/** The advisory lock that keeps two instances from signing at once. */
const CHECKPOINT_LOCK = 7_306_117_016;

export type CheckpointOutcome =
  | { outcome: 'signed'; treeSize: number; rootHash: Buffer; note: string }
  /** Nothing due: not grown, or grown within the interval and signed less than a day ago. */
  | { outcome: 'not_due'; last: StoredCheckpoint }
  /** Another instance is signing right now. */
  | { outcome: 'busy' }
  /** The stored tree disagrees with the last checkpoint: nothing was signed or recorded. */
  | { outcome: 'refused'; reason: string; last: StoredCheckpoint };

/**
 * Signs a checkpoint of the stored tree when one is due (`checkpointDue`), on whichever instance
 * takes the lock. Before signing, the stored tree must still be the one the last checkpoint
 * vouched for: at least as large, and with the same root at its size; otherwise it refuses and
 * records nothing (a log that was rewritten must not get a checkpoint that hides it).
 */
export async function signCheckpointIfDue(
  dataSource: DataSource,
  key: LogKey,
  now: Date,
  options: { intervalSeconds: number; asked?: boolean },
): Promise<CheckpointOutcome> {
  return dataSource.transaction(async (manager) => {
    const [lock] = await manager.query<{ taken: boolean }[]>(
      'SELECT pg_try_advisory_xact_lock($1) AS taken',
      [CHECKPOINT_LOCK],
    );
    if (!lock?.taken) return { outcome: 'busy' };
    const last = await latestCheckpoint(manager);
    const size = await storedTreeSize(manager);
    if (last && !checkpointDue(last, size, now, options.intervalSeconds, options.asked))
      return { outcome: 'not_due', last };
    if (last) {
      if (size < last.treeSize)
        return {
          outcome: 'refused',
          last,
          reason: `the stored tree has ${size} leaves, fewer than the ${last.treeSize} of the checkpoint signed at ${last.signedAt.toISOString()}`,
        };
      const oldRoot = await rootAt(manager, last.treeSize);
      if (!oldRoot.equals(last.rootHash))
        return {
          outcome: 'refused',
          last,
          reason: `the stored tree's root at size ${last.treeSize} is not the root of the checkpoint signed at ${last.signedAt.toISOString()}`,
        };
    }
    const rootHash = await rootAt(manager, size);
    const note = signNote(
      formatCheckpoint({ origin: key.origin, size, root: rootHash, extensions: [] }),
      key.origin,
      key.privateKey,
    );
    await insertCheckpoint(manager, { treeSize: size, rootHash, signedAt: now, note });
    return { outcome: 'signed', treeSize: size, rootHash, note };
  });
}
