import assert from 'node:assert/strict';
import {
  addMonths,
  parseLocalDate,
  startOfLocalDay,
  toLocalDate,
  toLocalDateTime,
} from '../../src/shared/time';

describe('Dutch calendar time', () => {
  const cases: [string, string][] = [
    ['2026-01-15', '2026-01-14T23:00:00.000Z'], // winter time, UTC+1
    ['2026-07-15', '2026-07-14T22:00:00.000Z'], // summer time, UTC+2
    ['2026-03-29', '2026-03-28T23:00:00.000Z'], // the day summer time starts (at 02:00)
    ['2026-10-25', '2026-10-24T22:00:00.000Z'], // the day summer time ends (at 03:00)
    ['2024-02-29', '2024-02-28T23:00:00.000Z'], // leap day
  ];
  for (const [date, instant] of cases) {
    it(`${date} starts at ${instant}`, () => {
      assert.equal(startOfLocalDay(date).toISOString(), instant);
      assert.equal(toLocalDate(new Date(instant)), date);
    });
  }

  for (const bad of [
    '2026-02-30',
    '2025-02-29',
    '2026-13-01',
    '2026-1-01',
    '26-01-01',
    '2026-01-01T00:00',
    '',
    'gisteren',
  ]) {
    it(`refuses "${bad}" as a date`, () => assert.equal(parseLocalDate(bad), undefined));
  }

  it('adds calendar months, clamping to the end of a shorter month', () => {
    assert.equal(toLocalDate(addMonths(startOfLocalDay('2026-01-31'), 1)), '2026-02-28');
    assert.equal(addMonths(new Date('2026-03-01T10:00:00Z'), 12).toISOString(), '2027-03-01T10:00:00.000Z');
  });

  it('keeps the local time of day across a change to summer time', () => {
    // 1 March 12:00 CET (11:00Z) plus one month is 1 April 12:00 CEST (10:00Z).
    assert.equal(addMonths(new Date('2026-03-01T11:00:00Z'), 1).toISOString(), '2026-04-01T10:00:00.000Z');
  });

  it('writes an instant as Amsterdam clock time with its offset, in winter and summer and across the change', () => {
    assert.equal(toLocalDateTime(new Date('2025-03-29T23:00:00.000Z')), '2025-03-30T00:00:00+01:00');
    assert.equal(toLocalDateTime(new Date('2025-03-30T01:30:00.000Z')), '2025-03-30T03:30:00+02:00');
    assert.equal(toLocalDateTime(new Date('2025-10-26T00:59:59.999Z')), '2025-10-26T02:59:59+02:00');
    assert.equal(toLocalDateTime(new Date('2025-10-26T01:00:00.000Z')), '2025-10-26T02:00:00+01:00');
  });

  it('gives the same calendar date as the clock reading, every ten minutes across both changes and at random instants', () => {
    const instants: Date[] = [];
    for (const from of ['2026-03-28T00:00:00Z', '2026-10-24T00:00:00Z', '1999-12-31T12:00:00Z'])
      for (let minutes = 0; minutes < 3 * 24 * 60; minutes += 10)
        instants.push(new Date(Date.parse(from) + minutes * 60_000));
    // A fixed pseudo-random walk from 1990 to 2100, so a failure can be repeated.
    let seed = 42;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      instants.push(new Date(Date.UTC(1990, 0, 1) + (seed / 2 ** 31) * 110 * 365.25 * 86_400_000));
    }
    for (const instant of instants)
      assert.equal(toLocalDate(instant), toLocalDateTime(instant).slice(0, 10), instant.toISOString());
  });
});
