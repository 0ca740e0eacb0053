import assert from 'node:assert/strict';
import { signedPartEnds } from '../../src/attestation/signing';

/** A stand-in PDF of `length` bytes with these signature dictionaries written at its start. */
const pdfWith = (dictionaries: string, length = 1000) =>
  Buffer.concat([
    Buffer.from(dictionaries, 'latin1'),
    Buffer.alloc(Math.max(0, length - dictionaries.length), 0x20),
  ]);

describe('signedPartEnds (where a signature’s signed part ends)', () => {
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
      pdf: pdfWith('/ByteRange [0 1 2 3]/ByteRange [0 1 2 3]'),
      ends: [5],
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
    it(name, () => assert.deepEqual(signedPartEnds(pdf), ends));
  }
});
