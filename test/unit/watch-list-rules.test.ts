import assert from 'node:assert/strict';
import {
  findWatchColumns,
  listingEndsBeforeContract,
  parseContractDate,
} from '../../src/buyer/watch-list-rules';
import { readEntry } from '../../src/buyer/watch-list.service';
import { startOfLocalDay } from '../../src/shared/time';

describe('watch list rules', () => {
  describe('parseContractDate', () => {
    const cases: [string, string | undefined][] = [
      ['2027-03-01', '2027-03-01'],
      [' 2027-03-01 ', '2027-03-01'],
      ['2027-03-01 00:00', '2027-03-01'],
      ['2027-03-01T10:30:00', '2027-03-01'],
      ['1-3-2027', '2027-03-01'],
      ['01-03-2027', '2027-03-01'],
      ['1/3/2027', '2027-03-01'],
      ['1.3.2027', '2027-03-01'],
      ['29-2-2028', '2028-02-29'],
      ['29-2-2027', undefined],
      ['31-4-2027', undefined],
      ['2027-13-01', undefined],
      ['1-3/2027', undefined],
      ['1-3-27', undefined],
      // Excel's day numbers (a numeric cell, or CSV text of one), 1990 to 2100 only.
      ['45658', '2025-01-01'],
      ['46000', '2025-12-09'],
      ['45658.5', '2025-01-01'],
      ['32874', '1990-01-01'],
      ['73415', '2100-12-31'],
      ['32873', undefined],
      ['73416', undefined],
      ['4565', undefined],
      ['-45658', undefined],
      ['morgen', undefined],
      ['', undefined],
      ['1-1-1899', undefined],
    ];
    for (const [input, expected] of cases)
      it(`reads ${JSON.stringify(input)} as ${String(expected)}`, () =>
        assert.equal(parseContractDate(input), expected));
  });

  describe('findWatchColumns', () => {
    const cases: [string[], ReturnType<typeof findWatchColumns>][] = [
      [['Leverancier', 'KvK-nummer', 'Contractnummer'], { reference: 2 }],
      [['KvK', 'Referentie', 'Startdatum', 'Einddatum'], { reference: 1, contractStart: 2, contractEnd: 3 }],
      [
        ['kvk number', 'Reference', 'Contract start', 'Contract end'],
        { reference: 1, contractStart: 2, contractEnd: 3 },
      ],
      [
        ['KvK', 'Eigen referentie', 'Ingangsdatum', 'Einde contract'],
        { reference: 1, contractStart: 2, contractEnd: 3 },
      ],
      [['KvK', 'Start date', 'End date'], { contractStart: 1, contractEnd: 2 }],
      [['KvK', 'Opmerking', 'Datum'], {}],
      [['KvK', 'Contractnummer', 'Referentie'], { reference: 1 }],
      [[], {}],
    ];
    for (const [header, expected] of cases)
      it(`finds ${JSON.stringify(expected)} in ${header.join(' | ') || 'no header'}`, () =>
        assert.deepEqual(findWatchColumns(header), expected));
  });

  describe('listingEndsBeforeContract', () => {
    const end = (date: string) => startOfLocalDay(date);
    const cases: [string, boolean, Date | null, string | null, boolean][] = [
      ['ends the day before the contract', true, end('2027-03-01'), '2027-03-01', true],
      ['ends at the start of the day after the contract', true, end('2027-03-02'), '2027-03-01', false],
      ['ends long after', true, end('2030-01-01'), '2027-03-01', false],
      ['no contract end', true, end('2027-01-01'), null, false],
      ['not verantwoord now', false, null, '2027-03-01', false],
      ['verantwoord without an end', true, null, '2027-03-01', false],
    ];
    for (const [name, verantwoord, validUntil, contractEnd, expected] of cases)
      it(name, () => assert.equal(listingEndsBeforeContract(verantwoord, validUntil, contractEnd), expected));
  });

  describe('readEntry', () => {
    const typed = { kvkNumber: '', reference: '', contractStart: '', contractEnd: '' };
    it('reads a KvK number as the register reads one everywhere', () => {
      assert.equal(readEntry({ ...typed, kvkNumber: 'KvK 9999.0001' }).entry?.kvkNumber, '99990001');
      assert.equal(readEntry({ ...typed, kvkNumber: '0099990001' }).entry?.kvkNumber, '99990001');
      assert.deepEqual(readEntry({ ...typed, kvkNumber: '9999001' }).problems, {
        kvkNumber: ['validation.kvkNumber'],
      });
      assert.deepEqual(readEntry({ ...typed, kvkNumber: '01-01-2026' }).problems, {
        kvkNumber: ['validation.kvkNumber'],
      });
      assert.deepEqual(readEntry(typed).problems, { kvkNumber: ['validation.required'] });
    });
    it('keeps a reference of 200 characters on one line, and refuses longer or several lines', () => {
      assert.equal(
        readEntry({ ...typed, kvkNumber: '99990001', reference: 'x'.repeat(200) }).problems,
        undefined,
      );
      assert.deepEqual(readEntry({ ...typed, kvkNumber: '99990001', reference: 'x'.repeat(201) }).problems, {
        reference: ['validation.tooLong'],
      });
      assert.deepEqual(readEntry({ ...typed, kvkNumber: '99990001', reference: 'a\nb' }).problems, {
        reference: ['validation.oneLine'],
      });
    });
    it('refuses an end before the start, and takes an end on the start day', () => {
      const base = { ...typed, kvkNumber: '99990001' };
      assert.deepEqual(readEntry({ ...base, contractStart: '2-1-2027', contractEnd: '1-1-2027' }).problems, {
        contractEnd: ['watch.endBeforeStart'],
      });
      assert.deepEqual(readEntry({ ...base, contractStart: '1-1-2027', contractEnd: '2027-01-01' }).entry, {
        kvkNumber: '99990001',
        reference: '',
        contractStart: '2027-01-01',
        contractEnd: '2027-01-01',
      });
    });
  });
});
