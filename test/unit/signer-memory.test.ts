import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recallSafely, type RememberedCheckpoint, SignerMemory } from '../../src/transparency/signer-memory';

const checkpoint = (treeSize: number): RememberedCheckpoint => ({
  origin: 'register.test/transparantie',
  treeSize,
  rootHash: Buffer.alloc(32, treeSize),
  signedAt: new Date('2026-11-30T10:00:00Z'),
  note: `note of ${treeSize}\n`,
});

const good = {
  origin: 'register.test/transparantie',
  treeSize: 5,
  rootHash: 'ab'.repeat(32),
  signedAt: '2026-11-30T10:00:00.000Z',
  note: 'note\n',
};

describe("the signer's memory outside the database", () => {
  let folder: string;
  let file: string;
  const warnings: string[] = [];
  beforeEach(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'vhp-signer-memory-'));
    file = path.join(folder, 'state', 'signer.json');
    warnings.length = 0;
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const write = (text: string) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  };

  const wrong: { name: string; text: string }[] = [
    { name: 'not JSON', text: '{"origin":' },
    { name: 'JSON null', text: 'null' },
    { name: 'no origin', text: JSON.stringify({ ...good, origin: undefined }) },
    { name: 'a tree size in words', text: JSON.stringify({ ...good, treeSize: '5' }) },
    { name: 'a fractional tree size', text: JSON.stringify({ ...good, treeSize: 1.5 }) },
    { name: 'a negative tree size', text: JSON.stringify({ ...good, treeSize: -1 }) },
    { name: 'a root hash as a number', text: JSON.stringify({ ...good, rootHash: 5 }) },
    { name: 'a short root hash', text: JSON.stringify({ ...good, rootHash: 'ab' }) },
    { name: 'upper-case hex', text: JSON.stringify({ ...good, rootHash: 'AB'.repeat(32) }) },
    { name: 'a signing time as a number', text: JSON.stringify({ ...good, signedAt: 1_764_496_800_000 }) },
    { name: 'a signing time that is no time', text: JSON.stringify({ ...good, signedAt: 'yesterday' }) },
    { name: 'no note', text: JSON.stringify({ ...good, note: undefined }) },
  ];
  for (const c of wrong)
    it(`refuses a state file with ${c.name}, naming the file, at start and in recallSafely`, () => {
      write(c.text);
      assert.throws(
        () => new SignerMemory(file, (w) => warnings.push(w)),
        (error: Error) =>
          error.message.startsWith(`the signer's state file ${file} is not what the signer writes (`),
      );
      const safely = recallSafely(file);
      assert.equal(safely.remembered, undefined);
      assert.match(safely.unreadable ?? '', /is not what the signer writes/);
    });

  it('reads a good state file, and recallSafely gives it from the file or from the memory', () => {
    write(JSON.stringify(good));
    const memory = new SignerMemory(file, (w) => warnings.push(w));
    const recalled = memory.recall();
    assert.deepEqual(
      { ...recalled, rootHash: recalled?.rootHash.toString('hex') },
      { ...good, signedAt: new Date(good.signedAt) },
    );
    assert.equal(recallSafely(file).remembered?.treeSize, 5);
    assert.equal(recallSafely(memory).remembered?.treeSize, 5);
  });

  it('knows nothing, without an error, when there is no file', () => {
    const memory = new SignerMemory(file, (w) => warnings.push(w));
    assert.equal(memory.recall(), undefined);
    assert.deepEqual(recallSafely(file), {});
    assert.deepEqual(recallSafely(memory), {});
  });

  it('says the file cannot be read when it is not a file', () => {
    mkdirSync(file, { recursive: true }); // a folder where the file should be
    assert.throws(
      () => new SignerMemory(file, () => undefined),
      (error: Error) => error.message.startsWith(`the signer's state file ${file} cannot be read (`),
    );
    assert.match(recallSafely(file).unreadable ?? '', /cannot be read/);
  });

  it('recall keeps the later of its own memory and the file: a smaller tree in the file does not win', () => {
    const memory = new SignerMemory(file, () => undefined);
    memory.remember(checkpoint(10));
    write(JSON.stringify({ ...good, treeSize: 7 })); // another instance's older state
    assert.equal(memory.recall()?.treeSize, 10);
    write(JSON.stringify({ ...good, treeSize: 12 })); // another instance signed later
    assert.equal(memory.recall()?.treeSize, 12);
  });

  it('remember does not overwrite a file that holds a later checkpoint, and replaces an unreadable one', () => {
    write(JSON.stringify({ ...good, treeSize: 20 }));
    const memory = new SignerMemory(file, () => undefined);
    memory.remember(checkpoint(15));
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as typeof good).treeSize, 20);
    write('not json at all');
    memory.remember(checkpoint(16));
    const stored = JSON.parse(readFileSync(file, 'utf8')) as typeof good;
    assert.deepEqual(stored, {
      origin: 'register.test/transparantie',
      treeSize: 16,
      rootHash: Buffer.alloc(32, 16).toString('hex'),
      signedAt: '2026-11-30T10:00:00.000Z',
      note: 'note of 16\n',
    });
  });

  it('adopt warns which checkpoint it takes and writes it to the file', () => {
    const memory = new SignerMemory(file, (w) => warnings.push(w));
    memory.adopt({ ...checkpoint(3), id: '42' });
    assert.deepEqual(warnings, [
      `the checkpoint signer's state file ${file} was missing: it adopts the database's latest checkpoint (row 42, 3 leaves, signed at 2026-11-30T10:00:00.000Z), whose note the log key signed, as the last one it signed`,
    ]);
    assert.equal(recallSafely(file).remembered?.treeSize, 3);
  });

  it('remembers the last refusal until an attempt is not refused', () => {
    const memory = new SignerMemory(file, () => undefined);
    assert.equal(memory.lastRefusal(), undefined);
    const refusal = { at: new Date('2026-11-30T11:00:00Z'), reason: 'the log shrank' };
    memory.attempted(refusal);
    assert.deepEqual(memory.lastRefusal(), refusal);
    memory.attempted(undefined);
    assert.equal(memory.lastRefusal(), undefined);
  });
});
