import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { byteRangeEnds } from '../../src/attestation/signing';
import { streamingHash } from '../../src/web/upload';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The signed ends an upload finds while `pdf` streams in pieces of `size` bytes, with their hashes. */
function streamed(pdf: Buffer, size: number) {
  const hash = streamingHash(byteRangeEnds);
  for (let at = 0; at < pdf.length; at += size) hash.update(pdf.subarray(at, at + size));
  return { whole: hash.digest(), prefixes: hash.prefixHashes };
}

/** A stand-in PDF of `length` bytes with these signature dictionaries written at its start. */
const pdfWith = (dictionaries: string, length = 1000) =>
  Buffer.concat([
    Buffer.from(dictionaries, 'latin1'),
    Buffer.alloc(Math.max(0, length - dictionaries.length), 0x20),
  ]);

describe('signed ends found while an upload streams (where a signature’s signed part ends)', () => {
  const cases: { name: string; pdf: Buffer; ends: number[] }[] = [
    { name: 'no signature', pdf: pdfWith('%PDF-1.7 /Type /Catalog'), ends: [] },
    { name: 'one signature over the whole file', pdf: pdfWith('/ByteRange [0 100 300 700]'), ends: [1000] },
    {
      name: 'one signature, padded with spaces as the placeholder leaves it',
      pdf: pdfWith('/ByteRange [0 100 300 600               ]'),
      ends: [900],
    },
    {
      name: 'an original and a later signature (incremental update), ascending',
      pdf: pdfWith('/ByteRange [0 500 700 300] /ByteRange [0 100 300 500]'),
      ends: [800, 1000],
    },
    {
      name: 'the same range twice counts once',
      pdf: pdfWith('/ByteRange [0 100 300 500]/ByteRange [0 100 300 500]'),
      ends: [800],
    },
    { name: 'a range beyond the end of the file', pdf: pdfWith('/ByteRange [0 100 300 900]'), ends: [] },
    { name: 'a range that does not start at 0', pdf: pdfWith('/ByteRange [5 100 300 500]'), ends: [] },
    { name: 'a hole that runs backwards', pdf: pdfWith('/ByteRange [0 300 100 500]'), ends: [] },
    {
      name: 'the placeholder before signing',
      pdf: pdfWith('/ByteRange [0 /********** /********** /**********]'),
      ends: [],
    },
  ];
  for (const { name, pdf, ends } of cases) {
    // One byte at a time puts every end on a piece's edge and splits every /ByteRange across pieces.
    for (const size of [1, 7, 64, pdf.length]) {
      it(`${name} (pieces of ${size} bytes)`, () => {
        const { whole, prefixes } = streamed(pdf, size);
        assert.deepEqual(
          [...prefixes.keys()].sort((x, y) => x - y),
          ends,
        );
        for (const [end, hash] of prefixes) assert.equal(hash, sha256(pdf.subarray(0, end)), `prefix ${end}`);
        assert.equal(whole, sha256(pdf));
      });
    }
  }
});
