import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  CompactRange,
  completedBy,
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  type NodeReader,
  nodeHash,
  ProofError,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from '../../monitor/lib/merkle';

/** The RFC 6962 vectors live beside the project: ../shared/testvectors from the repository root. */
const VECTORS = path.join(__dirname, '..', '..', '..', '..', 'shared', 'testvectors', 'rfc6962-merkle');

interface InclusionCase {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyCase {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder)
    .sort()
    .flatMap((name) => {
      const file = path.join(folder, name);
      return statSync(file).isDirectory() ? filesUnder(file) : name.endsWith('.json') ? [file] : [];
    });
}

function cases<T>(kind: string): { name: string; value: T }[] {
  return filesUnder(path.join(VECTORS, kind)).map((file) => ({
    name: path.relative(VECTORS, file),
    value: JSON.parse(readFileSync(file, 'utf8')) as T,
  }));
}

const b64 = (text: string): Buffer => Buffer.from(text, 'base64');
const hashes = (list: string[] | null): Buffer[] => (list ?? []).map(b64);

/** The leaves of the RFC 6962 reference tree the vectors (transparency-dev/merkle testdata) are built from. */
const REFERENCE_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((hex) => leafHash(Buffer.from(hex, 'hex')));

/** A NodeReader over an in-memory list of leaf hashes, counting its calls. */
function memoryReader(leaves: readonly Buffer[]): NodeReader & { calls: number } {
  const hashOf = (level: number, index: number): Buffer => {
    if (level === 0) {
      const leaf = leaves[index];
      assert.ok(leaf, `leaf ${index} exists`);
      return leaf;
    }
    return nodeHash(hashOf(level - 1, 2 * index), hashOf(level - 1, 2 * index + 1));
  };
  const reader = (refs: readonly { level: number; index: number }[]): Promise<Buffer[]> => {
    reader.calls++;
    return Promise.resolve(refs.map(({ level, index }) => hashOf(level, index)));
  };
  reader.calls = 0;
  return reader;
}

/** MTH(D[start:end]) straight from RFC 9162 §2.1.1, as an independent reference. */
function referenceRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0] as Buffer;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

function leavesOf(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => leafHash(`entry ${i}`));
}

describe('Merkle tree against the RFC 6962 test vectors', () => {
  const inclusion = cases<InclusionCase>('inclusion');
  const consistency = cases<ConsistencyCase>('consistency');

  it('finds the vectors (both kinds, happy paths and refusals)', () => {
    assert.ok(inclusion.length >= 50, `${inclusion.length} inclusion cases`);
    assert.ok(consistency.length >= 90, `${consistency.length} consistency cases`);
    assert.ok(inclusion.some((c) => !c.value.wantErr) && inclusion.some((c) => c.value.wantErr));
    assert.ok(consistency.some((c) => !c.value.wantErr) && consistency.some((c) => c.value.wantErr));
  });

  for (const { name, value: c } of cases<InclusionCase>('inclusion')) {
    it(`inclusion ${name}: ${c.desc} ${c.wantErr ? 'is refused' : 'verifies'}`, () => {
      const verify = (): void =>
        verifyInclusion(c.leafIdx, c.treeSize, b64(c.leafHash), hashes(c.proof), b64(c.root));
      if (c.wantErr) assert.throws(verify, ProofError);
      else verify();
    });
  }

  for (const { name, value: c } of cases<ConsistencyCase>('consistency')) {
    it(`consistency ${name}: ${c.desc} ${c.wantErr ? 'is refused' : 'verifies'}`, () => {
      const verify = (): void =>
        verifyConsistency(c.size1, c.size2, b64(c.root1), b64(c.root2), hashes(c.proof));
      if (c.wantErr) assert.throws(verify, ProofError);
      else verify();
    });
  }

  it('rebuilds the reference tree: every happy-path root is the root of the reference leaves', () => {
    for (const { value: c } of inclusion.filter((x) => x.name.endsWith('happy-path.json'))) {
      assert.deepEqual(referenceRoot(REFERENCE_LEAVES.slice(0, c.treeSize)), b64(c.root));
    }
  });

  it('makes the same inclusion proofs as every happy path on the reference tree', async () => {
    // Every happy-path.json is built on the reference leaves (the other happy cases use made-up hashes).
    const happy = inclusion.filter((x) => x.name.endsWith('happy-path.json'));
    assert.equal(happy.length, 5);
    for (const { name, value: c } of happy) {
      const proof = await inclusionProof(c.leafIdx, c.treeSize, memoryReader(REFERENCE_LEAVES));
      assert.deepEqual(proof, hashes(c.proof), name);
    }
  });

  it('makes the same consistency proofs as every happy path on the reference tree', async () => {
    const happy = consistency.filter((x) => x.name.endsWith('happy-path.json'));
    assert.equal(happy.length, 5);
    for (const { name, value: c } of happy) {
      assert.deepEqual(referenceRoot(REFERENCE_LEAVES.slice(0, c.size2)), b64(c.root2), name);
      const proof = await consistencyProof(c.size1, c.size2, memoryReader(REFERENCE_LEAVES));
      assert.deepEqual(proof, hashes(c.proof), name);
    }
  });
});

describe('Merkle proofs made and checked', () => {
  const leaves = leavesOf(64);
  const roots = Array.from({ length: 65 }, (_, size) => referenceRoot(leaves.slice(0, size)));

  it('proves and verifies the inclusion of every leaf in every tree up to 64 leaves, with one read each', async () => {
    for (let size = 1; size <= 64; size++) {
      for (let index = 0; index < size; index++) {
        const reader = memoryReader(leaves);
        const proof = await inclusionProof(index, size, reader);
        assert.ok(reader.calls <= 1);
        const root = roots[size] as Buffer;
        verifyInclusion(index, size, leaves[index] as Buffer, proof, root);
        assert.throws(
          () => verifyInclusion(index, size, leaves[(index + 1) % 64] as Buffer, proof, root),
          ProofError,
        );
        if (proof.length > 0) {
          const bent = proof.map((hash, i) => (i === proof.length - 1 ? nodeHash(hash, hash) : hash));
          assert.throws(() => verifyInclusion(index, size, leaves[index] as Buffer, bent, root), ProofError);
        }
      }
    }
  });

  it('proves and verifies the consistency of every pair of sizes up to 64', async () => {
    for (let size2 = 1; size2 <= 64; size2++) {
      for (let size1 = 1; size1 <= size2; size1++) {
        const reader = memoryReader(leaves);
        const proof = await consistencyProof(size1, size2, reader);
        assert.ok(reader.calls <= 1);
        verifyConsistency(size1, size2, roots[size1] as Buffer, roots[size2] as Buffer, proof);
        if (size1 < size2) {
          const other = nodeHash(roots[size1] as Buffer, EMPTY_ROOT);
          assert.throws(
            () => verifyConsistency(size1, size2, other, roots[size2] as Buffer, proof),
            ProofError,
          );
          assert.throws(
            () => verifyConsistency(size1, size2, roots[size1] as Buffer, other, proof),
            ProofError,
          );
          assert.throws(
            () =>
              verifyConsistency(size1, size2, roots[size1] as Buffer, roots[size2] as Buffer, proof.slice(1)),
            ProofError,
          );
        }
      }
    }
  });

  it('proves and verifies random pairs in big trees', async () => {
    // A tree of up to 2^40 leaves, too big to hold: every leaf is the same but a few marked ones, so the hash of
    // a perfect subtree without a marked leaf depends on its level only, and the tree is still a true tree.
    let seed = 42;
    const random = (below: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * below);
    };
    const plain = [leafHash('plain')];
    for (let level = 1; level <= 53; level++)
      plain.push(nodeHash(plain[level - 1] as Buffer, plain[level - 1] as Buffer));
    for (let round = 0; round < 200; round++) {
      const size2 = 1 + random(2 ** 31) * 512 + random(512);
      const size1 = 1 + random(size2);
      const index = random(size1);
      const marked = [index, size1 - 1, size2 - 1, random(size2), random(size2)];
      const hashOf = (level: number, at: number): Buffer => {
        const width = 2 ** level;
        if (!marked.some((leaf) => leaf >= at * width && leaf < (at + 1) * width))
          return plain[level] as Buffer;
        if (level === 0) return leafHash(`marked ${at}`);
        return nodeHash(hashOf(level - 1, 2 * at), hashOf(level - 1, 2 * at + 1));
      };
      const reader: NodeReader = (refs) =>
        Promise.resolve(refs.map(({ level, index: at }) => hashOf(level, at)));
      const root1 = await treeRoot(size1, reader);
      const root2 = await treeRoot(size2, reader);
      const proof = await inclusionProof(index, size1, reader);
      verifyInclusion(index, size1, hashOf(0, index), proof, root1);
      assert.throws(() => verifyInclusion(index, size1, plain[0] as Buffer, proof, root1), ProofError);
      const consistency = await consistencyProof(size1, size2, reader);
      verifyConsistency(size1, size2, root1, root2, consistency);
      if (size1 < size2) {
        assert.throws(() => verifyConsistency(size1, size2, root1, root1, consistency), ProofError);
      }
    }
  });

  it('refuses to make proofs that do not exist', async () => {
    const reader = memoryReader(leaves);
    await assert.rejects(inclusionProof(5, 5, reader), RangeError);
    await assert.rejects(consistencyProof(6, 5, reader), RangeError);
    await assert.rejects(consistencyProof(0, 5, reader), RangeError);
    assert.deepEqual(await consistencyProof(5, 5, reader), []);
    assert.equal(reader.calls, 0);
  });

  it('gives the root of every size, and EMPTY_ROOT for none', async () => {
    for (let size = 0; size <= 64; size++)
      assert.deepEqual(await treeRoot(size, memoryReader(leaves)), roots[size]);
    assert.deepEqual(
      EMPTY_ROOT.toString('hex'),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});

describe('CompactRange', () => {
  it('has the root of all its leaves at every size from 0 to 300', () => {
    const leaves = leavesOf(300);
    const range = new CompactRange();
    assert.deepEqual(range.root(), EMPTY_ROOT);
    for (let size = 1; size <= 300; size++) {
      range.append(leaves[size - 1] as Buffer);
      assert.equal(range.size, size);
      assert.deepEqual(range.root(), referenceRoot(leaves.slice(0, size)), `size ${size}`);
      assert.equal(range.hashes.length, CompactRange.refs(size).length);
    }
  });

  it('returns the leaf and every node it completed, with their true hashes', () => {
    const leaves = leavesOf(64);
    const reader = memoryReader(leaves);
    const range = new CompactRange();
    for (let index = 0; index < 64; index++) {
      const completed = range.append(leaves[index] as Buffer);
      assert.deepEqual(
        completed.map(({ level, index: at }) => ({ level, index: at })),
        [{ level: 0, index }, ...completedBy(index)],
      );
      for (const node of completed) {
        const width = 2 ** node.level;
        assert.deepEqual(
          node.hash,
          referenceRoot(leaves.slice(node.index * width, (node.index + 1) * width)),
        );
      }
    }
    assert.equal(reader.calls, 0);
  });

  it('carries on from a saved edge', () => {
    const leaves = leavesOf(100);
    const first = new CompactRange();
    for (const leaf of leaves.slice(0, 37)) first.append(leaf);
    const resumed = new CompactRange(first.size, first.hashes);
    for (const leaf of leaves.slice(37)) resumed.append(leaf);
    assert.deepEqual(resumed.root(), referenceRoot(leaves));
  });

  it('names the perfect nodes of the right edge, largest first', () => {
    assert.deepEqual(CompactRange.refs(0), []);
    assert.deepEqual(CompactRange.refs(1), [{ level: 0, index: 0 }]);
    assert.deepEqual(CompactRange.refs(6), [
      { level: 2, index: 0 },
      { level: 1, index: 2 },
    ]);
    assert.deepEqual(CompactRange.refs(13), [
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
  });

  it('refuses an edge that does not fit its size, and a leaf that is not a hash', () => {
    assert.throws(() => new CompactRange(3, [EMPTY_ROOT]), RangeError);
    assert.throws(() => new CompactRange(1, [Buffer.alloc(31)]), RangeError);
    assert.throws(() => new CompactRange().append(Buffer.from('not a hash')), RangeError);
  });
});

describe('completedBy', () => {
  const table: [number, { level: number; index: number }[]][] = [
    [0, []],
    [1, [{ level: 1, index: 0 }]],
    [2, []],
    [
      3,
      [
        { level: 1, index: 1 },
        { level: 2, index: 0 },
      ],
    ],
    [5, [{ level: 1, index: 2 }]],
    [
      7,
      [
        { level: 1, index: 3 },
        { level: 2, index: 1 },
        { level: 3, index: 0 },
      ],
    ],
    [255, Array.from({ length: 8 }, (_, i) => ({ level: i + 1, index: 2 ** (7 - i) - 1 }))],
    [256, []],
    [1023, Array.from({ length: 10 }, (_, i) => ({ level: i + 1, index: 2 ** (9 - i) - 1 }))],
  ];
  for (const [index, expected] of table) {
    it(`leaf ${index} completes ${expected.length} nodes`, () => {
      assert.deepEqual(completedBy(index), expected);
    });
  }
});
