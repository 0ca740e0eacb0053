import assert from 'node:assert/strict';
import { workingDaysBefore } from '../../src/jobs/working-days';

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
