import type { EntityManager } from 'typeorm';
import { TILE_HEIGHT, TILE_WIDTH } from '../../monitor/lib/tiles';
import { encodeEntryBundle } from '../../monitor/lib/tiles';
import { leafEntries } from '../audit/merkle.queries';

/** The deepest Merkle level merkle_nodes keeps (a tree of up to 2^62 leaves). */
const MAX_LEVEL = 62;

/**
 * Whether a tile of `width` (1..256) at tile level `level`, index `index`, exists in the tree of
 * `size` leaves: its last hash (level·8, index·256 + width - 1) is a complete subtree of that tree.
 */
export function tileWithin(level: number, index: number, width: number, size: number): boolean {
  const treeLevel = level * TILE_HEIGHT;
  if (treeLevel > MAX_LEVEL || width < 1 || width > TILE_WIDTH) return false;
  const nodes = Math.floor(size / 2 ** treeLevel);
  return index * TILE_WIDTH + width <= nodes;
}

/** The hashes of a tile, concatenated (tlog-tiles), or undefined when the stored tree lacks one. */
export async function hashTile(
  manager: EntityManager,
  level: number,
  index: number,
  width: number,
): Promise<Buffer | undefined> {
  const first = index * TILE_WIDTH;
  const rows = await manager.query<{ hash: Buffer }[]>(
    'SELECT hash FROM merkle_nodes WHERE level = $1 AND index >= $2 AND index < $3 ORDER BY index',
    [level * TILE_HEIGHT, first, first + width],
  );
  return rows.length === width ? Buffer.concat(rows.map((r) => r.hash)) : undefined;
}

/**
 * The entry bundle of leaves index·256 .. index·256 + width - 1 (see leafEntries), or undefined
 * when an event is missing.
 */
export async function entryBundle(
  manager: EntityManager,
  index: number,
  width: number,
): Promise<Buffer | undefined> {
  const entries = await leafEntries(manager, index * TILE_WIDTH, width);
  return entries.length === width ? encodeEntryBundle(entries) : undefined;
}
