import assert from 'node:assert/strict';
import { waitingTime, workingDaysBefore } from '../../src/shared/working-days';

describe('workingDaysBefore', () => {
  const cases: [string, number, string][] = [
    // Thursday 26 November 2026, 10:00 in Amsterdam; weekends do not count.
    ['2026-11-26T09:00:00.000Z', 1, '2026-11-25T09:00:00.000Z'],
    ['2026-11-26T09:00:00.000Z', 4, '2026-11-20T09:00:00.000Z'],
    ['2026-11-26T09:00:00.000Z', 10, '2026-11-12T09:00:00.000Z'],
    // Monday: one working day back is Friday.
    ['2026-11-30T09:00:00.000Z', 1, '2026-11-27T09:00:00.000Z'],
    // Across the change to winter time (25 October 2026): the same local time of day, 10:00.
    ['2026-10-27T09:00:00.000Z', 2, '2026-10-23T08:00:00.000Z'],
  ];
  for (const [now, n, expected] of cases) {
    it(`${n} working days before ${now} is ${expected}`, () => {
      assert.equal(workingDaysBefore(new Date(now), n).toISOString(), expected);
    });
  }
});

describe('waitingTime', () => {
  const cases: [string, string, number, number][] = [
    // since, now, days, working days. Thursday 26 November 2026 in Amsterdam.
    ['2026-11-26T08:00:00.000Z', '2026-11-26T15:00:00.000Z', 0, 0],
    ['2026-11-25T09:00:00.000Z', '2026-11-26T08:00:00.000Z', 1, 1],
    // Friday to Monday: three days, one working day.
    ['2026-11-27T09:00:00.000Z', '2026-11-30T09:00:00.000Z', 3, 1],
    // Saturday to Monday: two days, one working day.
    ['2026-11-28T09:00:00.000Z', '2026-11-30T09:00:00.000Z', 2, 1],
    // Two weeks and a day, from Thursday to Friday: eleven working days.
    ['2026-11-12T09:00:00.000Z', '2026-11-27T09:00:00.000Z', 15, 11],
    // 23:30 UTC on Wednesday is half past midnight on Thursday in Amsterdam: the same day as now.
    ['2026-11-25T23:30:00.000Z', '2026-11-26T09:00:00.000Z', 0, 0],
    // Across the change to winter time (25 October 2026).
    ['2026-10-23T08:00:00.000Z', '2026-10-27T09:00:00.000Z', 4, 2],
    // Never negative, for a moment after now.
    ['2026-11-27T09:00:00.000Z', '2026-11-26T09:00:00.000Z', 0, 0],
  ];
  for (const [since, now, days, workingDays] of cases) {
    it(`${since} → ${now}: ${days} days, ${workingDays} working days`, () => {
      assert.deepEqual(waitingTime(new Date(since), new Date(now)), { days, workingDays });
    });
  }
});
