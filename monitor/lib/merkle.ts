/**
 * The Merkle tree of RFC 9162 §2.1 (the tree of RFC 6962): leaf and node hashes, inclusion and consistency
 * proofs (made and checked), and the compact range: the right edge of a tree, enough to append to it.
 *
 * Sizes and indexes are plain numbers (whole numbers below 2^53). Hashes are 32-byte SHA-256 digests; a
 * "leaf" here is always a leaf HASH (see leafHash), never the entry itself.
 */
import { createHash } from 'node:crypto';
import { isCount } from './encoding';

const HASH_SIZE = 32;

/** SHA-256(0x00 || entry): the hash of a leaf whose content is `entry` (a string is hashed as UTF-8). */
export function leafHash(entry: Uint8Array | string): Buffer {
  return createHash('sha256')
    .update(Uint8Array.of(0))
    .update(typeof entry === 'string' ? Buffer.from(entry, 'utf8') : entry)
    .digest();
}

/** SHA-256(0x01 || left || right): the hash of an inner node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Uint8Array.of(1)).update(left).update(right).digest();
}

/** The root of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** Thrown when a proof does not hold; the message says exactly what failed. */
export class ProofError extends Error {
  override name = 'ProofError';
}

/** A perfect subtree: the 2^level leaves [index * 2^level, (index + 1) * 2^level). */
export interface NodeRef {
  level: number;
  index: number;
}

/** Reads the hashes of perfect subtrees, in the order asked; a proof makes ONE call (none when it needs no hash). */
export type NodeReader = (refs: readonly NodeRef[]) => Promise<readonly Uint8Array[]>;

const pow2 = (level: number): number => 2 ** level;
const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);
function isPowerOf2(n: number): boolean {
  let rest = n;
  while (rest > 1 && rest % 2 === 0) rest /= 2;
  return rest === 1;
}

/** The largest power of 2 smaller than n (n > 1): the split point k of RFC 9162 §2.1.1. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A range of leaves [start, end) whose Merkle Tree Hash a proof holds. */
type Range = readonly [start: number, end: number];

/** The perfect subtrees that make up the range [start, end), left to right (largest first). */
function rangeRefs(start: number, end: number): NodeRef[] {
  const refs: NodeRef[] = [];
  let position = start;
  let level = 0;
  while (pow2(level + 1) <= end - start) level++;
  for (; level >= 0; level--) {
    const width = pow2(level);
    if (end - position >= width) {
      if (position % width !== 0) throw new RangeError(`range [${start}, ${end}) is not aligned`);
      refs.push({ level, index: position / width });
      position += width;
    }
  }
  return refs;
}

/** The Merkle Tree Hash of a range from the hashes of its perfect subtrees (largest first). */
function foldRight(hashes: readonly Uint8Array[]): Buffer {
  const last = hashes[hashes.length - 1];
  if (last === undefined) return EMPTY_ROOT;
  let root: Buffer = Buffer.from(last);
  for (let i = hashes.length - 2; i >= 0; i--) root = nodeHash(hashes[i] as Uint8Array, root);
  return root;
}

/** The ranges of an inclusion proof (RFC 9162 §2.1.3.1), the leaf's sibling first. */
function inclusionRanges(index: number, size: number): Range[] {
  const ranges: Range[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      ranges.push([start + k, end]);
      end = start + k;
    } else {
      ranges.push([start, start + k]);
      start += k;
    }
  }
  return ranges.reverse();
}

/** The ranges of a consistency proof (RFC 9162 §2.1.4.1, SUBPROOF), deepest first; 0 < size1 < size2. */
function consistencyRanges(size1: number, size2: number): Range[] {
  const ranges: Range[] = [];
  let start = 0;
  let end = size2;
  let complete = true; // the "b" of SUBPROOF: the subtree so far is a whole subtree of the old tree
  while (size1 !== end) {
    const k = splitPoint(end - start);
    if (size1 - start <= k) {
      ranges.push([start + k, end]);
      end = start + k;
    } else {
      ranges.push([start, start + k]);
      start += k;
      complete = false;
    }
  }
  if (!complete) ranges.push([start, end]);
  return ranges.reverse();
}

/** Reads the hashes of the ranges with one call to `read` and folds each into its Merkle Tree Hash. */
async function hashRanges(ranges: readonly Range[], read: NodeReader): Promise<Buffer[]> {
  const perRange = ranges.map(([start, end]) => rangeRefs(start, end));
  const refs = perRange.flat();
  if (refs.length === 0) return ranges.map(() => EMPTY_ROOT);
  const hashes = await read(refs);
  if (hashes.length !== refs.length) {
    throw new Error(`the node reader gave ${hashes.length} hashes for ${refs.length} nodes`);
  }
  hashes.forEach((hash, i) => {
    if (hash.length !== HASH_SIZE) {
      const ref = refs[i] as NodeRef;
      throw new Error(`the node reader gave ${hash.length} bytes for node ${ref.level}/${ref.index}`);
    }
  });
  let next = 0;
  return perRange.map((range) => {
    const own = hashes.slice(next, next + range.length);
    next += range.length;
    return foldRight(own);
  });
}

function checkCount(name: string, value: number): void {
  if (!isCount(value)) throw new RangeError(`${name} must be a whole number from 0, not ${value}`);
}

/** The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1). */
export async function inclusionProof(index: number, size: number, read: NodeReader): Promise<Buffer[]> {
  checkCount('index', index);
  checkCount('size', size);
  if (index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size} leaves`);
  return hashRanges(inclusionRanges(index, size), read);
}

/**
 * The consistency proof from the tree of `size1` leaves to the tree of `size2` (RFC 9162 §2.1.4.1): empty when
 * the sizes are equal. A proof from the empty tree proves nothing (verifyConsistency refuses it), so asking for
 * one is a RangeError.
 */
export async function consistencyProof(size1: number, size2: number, read: NodeReader): Promise<Buffer[]> {
  checkCount('size1', size1);
  checkCount('size2', size2);
  if (size1 > size2) throw new RangeError(`size1 ${size1} is larger than size2 ${size2}`);
  if (size1 === size2) return [];
  if (size1 === 0) throw new RangeError('a consistency proof from the empty tree proves nothing');
  return hashRanges(consistencyRanges(size1, size2), read);
}

/** The root hash of the tree of `size` leaves. */
export async function treeRoot(size: number, read: NodeReader): Promise<Buffer> {
  checkCount('size', size);
  const [root] = await hashRanges([[0, size]], read);
  return root as Buffer;
}

function checkHash(what: string, hash: Uint8Array): void {
  if (hash.length !== HASH_SIZE) throw new ProofError(`${what} is ${hash.length} bytes, not ${HASH_SIZE}`);
}

function checkProofHashes(proof: readonly Uint8Array[]): void {
  proof.forEach((hash, i) => checkHash(`proof hash ${i}`, hash));
}

/** Checks that `leaf` (a leaf hash) is leaf `index` of the tree of `size` leaves with root `root` (RFC 9162 §2.1.3.2). */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  if (!isCount(index) || !isCount(size))
    throw new ProofError(`index ${index} or size ${size} is not a whole number`);
  if (index >= size) throw new ProofError(`leaf ${index} is not in a tree of ${size} leaves`);
  checkHash('the leaf hash', leaf);
  checkHash('the root hash', root);
  checkProofHashes(proof);
  const expected = inclusionRanges(index, size).length;
  if (proof.length !== expected) {
    throw new ProofError(
      `the inclusion proof has ${proof.length} hashes; leaf ${index} of ${size} needs ${expected}`,
    );
  }
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) throw new ProofError('the inclusion proof is too long');
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('the inclusion proof is too short');
  if (!r.equals(root)) {
    throw new ProofError(`the inclusion proof of leaf ${index} does not lead to the root of size ${size}`);
  }
}

/** Checks that the tree of `size1` leaves with root `root1` is a prefix of the tree with `size2`, `root2` (RFC 9162 §2.1.4.2). */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): void {
  if (!isCount(size1) || !isCount(size2)) {
    throw new ProofError(`size1 ${size1} or size2 ${size2} is not a whole number`);
  }
  if (size1 > size2) throw new ProofError(`the tree shrank: size1 ${size1} is larger than size2 ${size2}`);
  if (size1 === size2) {
    // The same tree: nothing to prove but that the roots are one (the vectors accept any equal roots here).
    if (proof.length !== 0) {
      throw new ProofError(`the sizes are equal but the proof has ${proof.length} hashes`);
    }
    if (!Buffer.from(root1).equals(root2)) throw new ProofError(`two different roots for size ${size1}`);
    if (size1 === 0 && !EMPTY_ROOT.equals(root1)) throw new ProofError('the root of the empty tree is wrong');
    return;
  }
  checkHash('root1', root1);
  checkHash('root2', root2);
  checkProofHashes(proof);
  if (size1 === 0) throw new ProofError('a consistency proof from the empty tree proves nothing');
  const expected = consistencyRanges(size1, size2).length;
  if (proof.length !== expected) {
    throw new ProofError(
      `the consistency proof has ${proof.length} hashes; from size ${size1} to ${size2} needs ${expected}`,
    );
  }
  const path = isPowerOf2(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0] as Uint8Array);
  let sr: Buffer = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) throw new ProofError('the consistency proof is too long');
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('the consistency proof is too short');
  if (!fr.equals(root1)) {
    throw new ProofError(`the consistency proof does not lead to the old root (size ${size1})`);
  }
  if (!sr.equals(root2)) {
    throw new ProofError(`the consistency proof does not lead to the new root (size ${size2})`);
  }
}

/** The perfect nodes (level >= 1) that appending leaf `index` completes, lowest first. */
export function completedBy(index: number): NodeRef[] {
  checkCount('index', index);
  const refs: NodeRef[] = [];
  const count = index + 1;
  for (let level = 1; count % pow2(level) === 0; level++)
    refs.push({ level, index: count / pow2(level) - 1 });
  return refs;
}

/** The right edge of a tree: the hashes of the perfect subtrees that make up its `size` leaves, largest first. */
export class CompactRange {
  size: number;
  hashes: Buffer[];

  constructor(size = 0, hashes: readonly Uint8Array[] = []) {
    checkCount('size', size);
    const refs = CompactRange.refs(size);
    if (hashes.length !== refs.length) {
      throw new RangeError(`a tree of ${size} leaves has ${refs.length} edge hashes, not ${hashes.length}`);
    }
    hashes.forEach((hash, i) => {
      if (hash.length !== HASH_SIZE)
        throw new RangeError(`edge hash ${i} is ${hash.length} bytes, not ${HASH_SIZE}`);
    });
    this.size = size;
    this.hashes = hashes.map((hash) => Buffer.from(hash));
  }

  /** The perfect nodes that make up the right edge of a tree of `size` leaves, largest first. */
  static refs(size: number): NodeRef[] {
    checkCount('size', size);
    return rangeRefs(0, size);
  }

  /** Appends the leaf with hash `leaf`; returns every perfect node it completed, the leaf itself (level 0) first. */
  append(leaf: Uint8Array): (NodeRef & { hash: Buffer })[] {
    if (leaf.length !== HASH_SIZE)
      throw new RangeError(`a leaf hash is ${HASH_SIZE} bytes, not ${leaf.length}`);
    const index = this.size;
    let hash: Buffer = Buffer.from(leaf);
    const completed: (NodeRef & { hash: Buffer })[] = [{ level: 0, index, hash }];
    for (const ref of completedBy(index)) {
      const left = this.hashes.pop() as Buffer;
      hash = nodeHash(left, hash);
      completed.push({ ...ref, hash });
    }
    this.hashes.push(hash);
    this.size = index + 1;
    return completed;
  }

  /** The root hash of the tree (EMPTY_ROOT for no leaves). */
  root(): Buffer {
    return foldRight(this.hashes);
  }
}
