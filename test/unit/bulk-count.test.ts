import assert from 'node:assert/strict';
import { bulkCount } from '../../src/seed/bulk';

describe('seed:bulk --providers N', () => {
  it('takes a whole number from 1 to 1,000,000 written in digits', () => {
    for (const [given, count] of [
      ['1', 1],
      ['10000', 10_000],
      ['007', 7],
      ['1000000', 1_000_000],
    ] as const) {
      assert.equal(bulkCount(given), count, given);
    }
  });

  it('refuses what Number() would read as a number too: 1e3, 0x10, 10.0, " 5", and 0, too many, nothing', () => {
    for (const given of [
      '1e3',
      '0x10',
      '10.0',
      ' 5',
      '5 ',
      '+5',
      '-5',
      '0',
      '1000001',
      '99999999',
      '',
      'tien',
    ]) {
      assert.equal(bulkCount(given), undefined, JSON.stringify(given));
    }
    assert.equal(bulkCount(undefined), undefined);
  });
});
