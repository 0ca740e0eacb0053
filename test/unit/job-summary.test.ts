import assert from 'node:assert/strict';
import { dailyWorkSummary, digestSummary } from '../../src/jobs/job-summary';

describe('what jobs:daily prints', () => {
  it('counts one expiry, lapse, reminder and counter in the singular, and others in the plural', () => {
    assert.equal(
      dailyWorkSummary({ expired: 1, lapsed: 1, reminders: 1, rateLimitsPruned: 1 }),
      'Daily work done: 1 expiry and 1 lapse recorded, 1 reminder queued, 1 expired rate-limit counter removed.',
    );
    assert.equal(
      dailyWorkSummary({ expired: 0, lapsed: 2, reminders: 3, rateLimitsPruned: 0 }),
      'Daily work done: 0 expiries and 2 lapses recorded, 3 reminders queued, 0 expired rate-limit counters removed.',
    );
  });

  it('says one application waiting and one reviewer mailed in the singular', () => {
    assert.equal(
      digestSummary({ waiting: 1, digests: 1 }),
      'Weekly reviewer digest sent: 1 application waiting, 1 reviewer mailed.',
    );
    assert.equal(
      digestSummary({ waiting: 4, digests: 2 }),
      'Weekly reviewer digest sent: 4 applications waiting, 2 reviewers mailed.',
    );
  });
});
