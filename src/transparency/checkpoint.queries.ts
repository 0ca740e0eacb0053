import type { EntityManager } from 'typeorm';
import { CHECKPOINT_COLUMNS, type StoredCheckpoint } from '../audit/merkle.queries';
import { must } from '../shared/must';

export { latestCheckpoint, type StoredCheckpoint } from '../audit/merkle.queries';

/** A page of the checkpoint history, newest first, and how many there are. */
export async function checkpointPage(
  manager: EntityManager,
  offset: number,
  limit: number,
): Promise<{ rows: StoredCheckpoint[]; total: number }> {
  const rows = await manager.query<StoredCheckpoint[]>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM log_checkpoints c ORDER BY c.id DESC OFFSET $1 LIMIT $2`,
    [offset, limit],
  );
  const [count] = await manager.query<{ total: number }[]>(
    'SELECT count(*)::float8 AS total FROM log_checkpoints',
  );
  return { rows, total: must(count, 'an aggregate query answers one row').total };
}

/** Records a signed checkpoint. */
export async function insertCheckpoint(
  manager: EntityManager,
  row: { treeSize: number; rootHash: Buffer; signedAt: Date; note: string },
): Promise<void> {
  await manager.query(
    'INSERT INTO log_checkpoints (tree_size, root_hash, signed_at, note) VALUES ($1, $2, $3, $4)',
    [row.treeSize, row.rootHash, row.signedAt, row.note],
  );
}
