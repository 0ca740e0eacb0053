import assert from 'node:assert/strict';
import {
  isKvkNumber,
  isVatNumber,
  normalisePostcode,
  normaliseVatNumber,
  readKvkNumber,
} from '../../src/shared/identifiers';
import { parseAsNumbers } from '../../src/shared/validators';

describe('Dutch identifiers', () => {
  const vat: [string, boolean, string][] = [
    ['NL123456782B01', true, '11-test: 1·9+2·8+…+8·2 = 156, 156 mod 11 = 2'],
    ['NL123456789B01', false, 'wrong check digit, and not mod 97'],
    ['NL000099998B57', true, 'mod 97-10 (a number issued since 2020)'],
    ['NL000099998B58', false, 'mod 97-10 broken by the suffix'],
    ['NL12345678B01', false, 'eight digits'],
    ['NL1234567820B01', false, 'ten digits'],
    ['DE123456782B01', false, 'not Dutch'],
    ['NL123456782X01', false, 'X instead of B'],
    ['NL123456782B1', false, 'one-digit suffix'],
    ['', false, 'empty'],
  ];
  for (const [value, valid, why] of vat) {
    it(`btw-id ${value || '(empty)'} is ${valid ? 'valid' : 'invalid'} (${why})`, () =>
      assert.equal(isVatNumber(value), valid));
  }

  it('normalises a btw-id typed with spaces, dots and lower case', () => {
    assert.equal(normaliseVatNumber(' nl 1234.5678.2 b01 '), 'NL123456782B01');
  });

  const postcodes: [string, string | undefined][] = [
    ['1234 AB', '1234 AB'],
    ['1234ab', '1234 AB'],
    [' 9999 zz ', '9999 ZZ'],
    ['0123 AB', undefined],
    ['123 AB', undefined],
    ['1234 A', undefined],
    ['1234  AB', undefined],
    ['12345', undefined],
  ];
  for (const [input, expected] of postcodes) {
    it(`postcode "${input}" → ${expected ?? 'refused'}`, () =>
      assert.equal(normalisePostcode(input), expected));
  }

  for (const [input, valid] of [
    ['12345678', true],
    ['00000000', true],
    ['1234567', false],
    ['123456789', false],
    ['1234567a', false],
    [12345678, false],
  ] as const) {
    it(`KvK number ${String(input)} is ${valid ? 'valid' : 'invalid'}`, () =>
      assert.equal(isKvkNumber(input), valid));
  }

  it('reads AS numbers with or without the AS prefix', () => {
    assert.deepEqual(parseAsNumbers('AS1140, 64500 as12'), [1140, 64500, 12]);
    assert.deepEqual(parseAsNumbers(''), []);
    assert.equal(parseAsNumbers('AS0'), undefined);
    assert.equal(parseAsNumbers('AS4294967296'), undefined);
    assert.equal(parseAsNumbers('ASX'), undefined);
  });

  const kvk: [string, string][] = [
    ['99990001', 'valid 99990001'],
    [' 99990001 ', 'valid 99990001'],
    ['9999 0001', 'valid 99990001'],
    ['99.99.00.03', 'valid 99990003'],
    ['9999-0001', 'valid 99990001'],
    ['9999\u00a00001', 'valid 99990001'],
    ['KvK 99990001', 'valid 99990001'],
    ['kvk:99990001', 'valid 99990001'],
    ['KvK-nummer: 9999 0001', 'valid 99990001'],
    ['KvK nr. 99990001', 'valid 99990001'],
    ['1234567', 'leadingZeroLost 01234567'],
    ['123 4567', 'leadingZeroLost 01234567'],
    ['123456', 'invalid'],
    ['999900011', 'invalid'],
    ['9999000a', 'invalid'],
    ['NL123456782B01', 'invalid'],
    ['kvk', 'invalid'],
    ['', 'invalid'],
    ['+99990001', 'invalid'],
    // Dates are no KvK numbers, however many digits they have (a Startdatum column, an .xlsx date cell).
    ['01-01-2026', 'invalid'],
    ['1-1-2026', 'invalid'],
    ['31/12/2025', 'invalid'],
    ['01.01.2026', 'invalid'],
    ['2026-01-01', 'invalid'],
    ['2026/01/01', 'invalid'],
    ['2026.1.1', 'invalid'],
    ['9999 00 01', 'valid 99990001'],
    // Excel's ten-digit number format puts two zeros in front: the eight digits after them count.
    ['0099990008', 'tenDigits 99990008'],
    ['00 9999 0008', 'tenDigits 99990008'],
    ['1099990008', 'invalid'],
  ];
  for (const [typed, expected] of kvk) {
    it(`reads the KvK number ${JSON.stringify(typed)} as ${expected}`, () => {
      const reading = readKvkNumber(typed);
      assert.equal(reading.kind === 'invalid' ? 'invalid' : `${reading.kind} ${reading.kvkNumber}`, expected);
    });
  }
});
