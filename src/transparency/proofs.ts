import type { EntityManager } from 'typeorm';
import { consistencyProof, inclusionProof, type NodeReader, treeRoot } from '../../monitor/lib/merkle';
import { readMerkleNodes } from '../audit/merkle.queries';

/** Reads the perfect-subtree hashes a proof needs from merkle_nodes: one query per proof. */
export const databaseNodeReader =
  (manager: EntityManager): NodeReader =>
  (refs) =>
    readMerkleNodes(manager, refs);

/** The inclusion proof (RFC 9162 §2.1.3) of leaf `index` in the tree of the first `size` leaves. */
export function inclusionProofAt(manager: EntityManager, index: number, size: number): Promise<Buffer[]> {
  return inclusionProof(index, size, databaseNodeReader(manager));
}

/** The consistency proof (RFC 9162 §2.1.4) between the trees of the first `size1` and `size2` leaves. */
export function consistencyProofBetween(
  manager: EntityManager,
  size1: number,
  size2: number,
): Promise<Buffer[]> {
  return consistencyProof(size1, size2, databaseNodeReader(manager));
}

/** The root hash of the tree of the first `size` leaves. */
export function rootAt(manager: EntityManager, size: number): Promise<Buffer> {
  return treeRoot(size, databaseNodeReader(manager));
}
