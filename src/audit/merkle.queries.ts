import type { EntityManager } from 'typeorm';
import { type NodeRef, treeRoot } from '../../monitor/lib/merkle';
import type { AuditContent, ChainLink } from './audit-chain';
import { leafEntry } from './leaf-entry';
import { must } from '../shared/must';

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement. */
const ROWS_PER_INSERT = 5000;

/** How many leaves the stored tree holds (one index lookup). */
export async function storedTreeSize(manager: EntityManager): Promise<number> {
  const [row] = await manager.query<{ size: number }[]>(
    'SELECT COALESCE(max(leaf_index) + 1, 0)::float8 AS size FROM merkle_leaves',
  );
  return must(row, 'an aggregate query answers one row').size;
}

/**
 * The hashes of the perfect subtrees `refs`, in the same order, in one query; throws when one is
 * missing (the stored tree is incomplete: never for a tree the register wrote).
 */
export async function readMerkleNodes(manager: EntityManager, refs: readonly NodeRef[]): Promise<Buffer[]> {
  if (refs.length === 0) return [];
  const rows = await manager.query<{ i: number; hash: Buffer }[]>(
    `SELECT r.i::int AS i, n.hash
       FROM unnest($1::smallint[], $2::bigint[]) WITH ORDINALITY AS r(level, index, i)
       JOIN merkle_nodes n ON n.level = r.level AND n.index = r.index`,
    [refs.map((r) => r.level), refs.map((r) => r.index)],
  );
  const hashes: Buffer[] = [];
  for (const row of rows) hashes[row.i - 1] = row.hash;
  refs.forEach((ref, i) => {
    if (!hashes[i])
      throw new Error(`the stored Merkle tree lacks node level ${ref.level}, index ${ref.index}`);
  });
  return hashes;
}

/** The stored tree's root at `size`, or undefined when a node it needs is missing. */
export async function storedRootAt(manager: EntityManager, size: number): Promise<Buffer | undefined> {
  try {
    return await treeRoot(size, (refs) => readMerkleNodes(manager, refs));
  } catch {
    return undefined;
  }
}

/** Inserts `rows` into `table (columns)`, many rows per statement. */
async function insertRows(
  manager: EntityManager,
  table: string,
  columns: string,
  rows: unknown[][],
): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const width = must(chunk[0], 'a chunk holds at least one row').length;
    const values = chunk.map((row, r) => `(${row.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
    await manager.query(`INSERT INTO ${table} (${columns}) VALUES ${values.join(', ')}`, chunk.flat());
  }
}

/** Appends leaves (events in chain order, from leaf `first`; their content is `leafEntry(event, salt)`). */
export async function insertMerkleLeaves(
  manager: EntityManager,
  first: number,
  leaves: readonly { eventId: string; salt: Buffer }[],
): Promise<void> {
  await insertRows(
    manager,
    'merkle_leaves',
    'leaf_index, event_id, salt',
    leaves.map((leaf, i) => [first + i, leaf.eventId, leaf.salt]),
  );
}

/** Appends completed perfect-subtree hashes. */
export async function insertMerkleNodes(
  manager: EntityManager,
  nodes: readonly (NodeRef & { hash: Uint8Array })[],
): Promise<void> {
  await insertRows(
    manager,
    'merkle_nodes',
    'level, index, hash',
    nodes.map((n) => [n.level, n.index, Buffer.from(n.hash)]),
  );
}

/** An event's content (audit_events e): the fields its chain hash and its leaf's digest cover. */
const EVENT_CONTENT_COLUMNS = `e.id::text AS id, e.occurred_at AS "occurredAt", e.actor, e.action,
  e.subject_type AS "subjectType", e.subject_id AS "subjectId", e.data`;

/** An event as the log check reads it: its chain fields, its leaf (if any) and the stored leaf hash. */
export interface LeafLink extends ChainLink {
  /** Its leaf's index, or null when it has none. */
  leafIndex: number | null;
  /** The stored leaf content of a carried-over event, or null (`leafEntry(event, salt)`). */
  entry: string | null;
  /** Its leaf's salt, or null when it has no leaf. */
  salt: Buffer | null;
  /** merkle_nodes level 0 at its leaf index, or null when there is none. */
  leafHash: Buffer | null;
}

/** Up to `limit` events after event `after`, in chain (id) order, each with its leaf: one range of the primary key. */
export function eventsWithLeavesAfter(
  manager: EntityManager,
  after: string,
  limit: number,
): Promise<LeafLink[]> {
  return manager.query<LeafLink[]>(
    `SELECT ${EVENT_CONTENT_COLUMNS}, e.prev_hash AS "prevHash", e.hash,
            l.leaf_index::float8 AS "leafIndex", l.entry, l.salt, n.hash AS "leafHash"
       FROM audit_events e
       LEFT JOIN merkle_leaves l ON l.event_id = e.id
       LEFT JOIN merkle_nodes n ON n.level = 0 AND n.index = l.leaf_index
      WHERE e.id > $1 ORDER BY e.id LIMIT $2`,
    [after, limit],
  );
}

/**
 * The contents of leaves first .. first + count - 1, in order: a carried-over event's stored entry,
 * else `leafEntry(event, salt)` (exactly what the entry bundles serve); fewer when the tree is shorter.
 */
export async function leafEntries(manager: EntityManager, first: number, count: number): Promise<Buffer[]> {
  const rows = await manager.query<(AuditContent & { entry: string | null; salt: Buffer })[]>(
    `SELECT l.entry, l.salt, ${EVENT_CONTENT_COLUMNS}
       FROM merkle_leaves l JOIN audit_events e ON e.id = l.event_id
      WHERE l.leaf_index >= $1 AND l.leaf_index < $2 ORDER BY l.leaf_index`,
    [first, first + count],
  );
  return rows.map((row) => Buffer.from(row.entry ?? leafEntry(row, row.salt)));
}

/** The event of leaf `index`, or undefined when there is no such leaf. */
export async function eventOfLeaf(manager: EntityManager, index: number): Promise<string | undefined> {
  const [row] = await manager.query<{ id: string }[]>(
    'SELECT event_id::text AS id FROM merkle_leaves WHERE leaf_index = $1',
    [index],
  );
  return row?.id;
}

/** A signed checkpoint as log_checkpoints keeps it. */
export interface StoredCheckpoint {
  id: string;
  treeSize: number;
  rootHash: Buffer;
  signedAt: Date;
  /** The whole signed note, verbatim. */
  note: string;
}

export const CHECKPOINT_COLUMNS = `id::text AS id, tree_size::float8 AS "treeSize", root_hash AS "rootHash", signed_at AS "signedAt", note`;

/** The newest signed checkpoint, or undefined when none was signed yet. */
export async function latestCheckpoint(manager: EntityManager): Promise<StoredCheckpoint | undefined> {
  const [row] = await manager.query<StoredCheckpoint[]>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM log_checkpoints c ORDER BY c.id DESC LIMIT 1`,
  );
  return row;
}

/**
 * Every signed checkpoint in order of size (then of signing), or with `signedAfter` those signed
 * after that moment and the latest: what a verification checks against the log.
 */
export function checkpointsBySize(manager: EntityManager, signedAfter?: Date): Promise<StoredCheckpoint[]> {
  return manager.query<StoredCheckpoint[]>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM log_checkpoints c
      WHERE $1::timestamptz IS NULL OR c.signed_at > $1 OR c.id = (SELECT max(id) FROM log_checkpoints)
      ORDER BY c.tree_size, c.id`,
    [signedAfter ?? null],
  );
}

/** Whether log_checkpoints holds this checkpoint: a row of its size, root and note. */
export async function holdsCheckpoint(
  manager: EntityManager,
  checkpoint: { treeSize: number; rootHash: Buffer; note: string },
): Promise<boolean> {
  const [row] = await manager.query<unknown[]>(
    'SELECT 1 FROM log_checkpoints WHERE tree_size = $1 AND root_hash = $2 AND note = $3 LIMIT 1',
    [checkpoint.treeSize, checkpoint.rootHash, checkpoint.note],
  );
  return row !== undefined;
}
