import assert from 'node:assert/strict';
import { counted, dailySummary, weeklySummary } from '../../src/jobs/job-summary';

describe('what jobs:daily prints', () => {
  it('uses the singular for one and the plural for zero and more', () => {
    assert.equal(counted(1, 'expiry', 'expiries'), '1 expiry');
    assert.equal(counted(0, 'expiry', 'expiries'), '0 expiries');
    assert.equal(counted(2, 'expiry', 'expiries'), '2 expiries');
  });

  it('says "1 expiry and 1 lapse recorded, 1 reminder queued", not "1 expiries"', () => {
    assert.equal(
      dailySummary({ expired: 1, lapsed: 1, reminders: 1, rateLimitsPruned: 1, registrationsPruned: 1 }),
      'Daily work done: 1 expiry and 1 lapse recorded, 1 reminder queued, 1 expired rate-limit counter and 1 expired pending registration removed.',
    );
    assert.equal(
      dailySummary({ expired: 736, lapsed: 0, reminders: 3, rateLimitsPruned: 12 }),
      'Daily work done: 736 expiries and 0 lapses recorded, 3 reminders queued, 12 expired rate-limit counters and 0 expired pending registrations removed.',
    );
  });

  it("adds the watch lists' notices and daily summaries when the work had them", () => {
    assert.equal(
      dailySummary({ expired: 0, lapsed: 0, reminders: 0, listingEndNotices: 1, watchDigests: 2 }),
      'Daily work done: 0 expiries and 0 lapses recorded, 0 reminders queued, 0 expired rate-limit counters and 0 expired pending registrations removed. Watch lists: 1 listing-end notice, 2 daily summaries mailed.',
    );
  });

  it("adds the signals' reminders, overdue matches and review tasks when the work had them", () => {
    assert.equal(
      dailySummary({
        expired: 0,
        lapsed: 0,
        reminders: 0,
        signalMatchesOverdue: 3,
        signalOverdueTasks: 1,
        signalReminders: 2,
        signalMatchesReminded: 1,
      }),
      'Daily work done: 0 expiries and 0 lapses recorded, 0 reminders queued, 0 expired rate-limit counters and 0 expired pending registrations removed. Signals: 2 reminders mailed about 1 match, 3 matches marked overdue, 1 review task opened.',
    );
  });

  it('says "1 application waiting, 1 reviewer mailed" in the weekly digest line', () => {
    assert.equal(
      weeklySummary({ waiting: 1, digests: 1 }),
      'Weekly reviewer digest sent: 1 application waiting, 1 reviewer mailed.',
    );
    assert.equal(
      weeklySummary({ waiting: 5, digests: 2 }),
      'Weekly reviewer digest sent: 5 applications waiting, 2 reviewers mailed.',
    );
  });
});
