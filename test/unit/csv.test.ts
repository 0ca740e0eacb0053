import assert from 'node:assert/strict';
import { safeCell } from '../../src/shared/csv';

describe('safeCell (CSV injection, OWASP)', () => {
  const CASES: [string, string][] = [
    ['-12', '-12'],
    ['+5', '+5'],
    ['-3,50', '-3,50'],
    ['-3.50', '-3.50'],
    ['12', '12'],
    ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
    ['+31 6 1234', `'+31 6 1234`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\tx', `'\tx`],
    ['\rx', `'\rx`],
    ['-', `'-`],
    ['Polderwolk', 'Polderwolk'],
  ];
  for (const [value, expected] of CASES)
    it(`writes ${JSON.stringify(value)} as ${JSON.stringify(expected)}`, () =>
      assert.equal(safeCell(value), expected));
});
