/** What the daily and weekly work did, as the command line says it (in English, with plural forms). */

const english = new Intl.PluralRules('en');

/** `n` with the noun in the form English uses for it: "1 expiry", "0 expiries", "2 expiries". */
export function counted(n: number, one: string, other: string): string {
  return `${n} ${english.select(n) === 'one' ? one : other}`;
}

/** The summary of a daily run (`dailyWork`'s counts; a missing count reads as 0). */
export function dailySummary(r: Record<string, number>): string {
  const n = (key: string) => r[key] ?? 0;
  return (
    `Daily work done: ${counted(n('expired'), 'expiry', 'expiries')} and ` +
    `${counted(n('lapsed'), 'lapse', 'lapses')} recorded, ` +
    `${counted(n('reminders'), 'reminder', 'reminders')} queued, ` +
    `${counted(n('rateLimitsPruned'), 'expired rate-limit counter', 'expired rate-limit counters')} and ` +
    `${counted(n('registrationsPruned'), 'expired pending registration', 'expired pending registrations')} removed.` +
    // The watch lists' part (issue 18), when the work had one.
    ('listingEndNotices' in r || 'watchDigests' in r
      ? ` Watch lists: ${counted(n('listingEndNotices'), 'listing-end notice', 'listing-end notices')}, ` +
        `${counted(n('watchDigests'), 'daily summary', 'daily summaries')} mailed.`
      : '') +
    // The signals' part (issue 19), when the work had one.
    ('signalReminders' in r || 'signalMatchesOverdue' in r
      ? ` Signals: ${counted(n('signalReminders'), 'reminder', 'reminders')} mailed about ` +
        `${counted(n('signalMatchesReminded'), 'match', 'matches')}, ` +
        `${counted(n('signalMatchesOverdue'), 'match', 'matches')} marked overdue, ` +
        `${counted(n('signalOverdueTasks'), 'review task', 'review tasks')} opened.`
      : '')
  );
}

/** The summary of a weekly digest run (`sendReviewerDigest`'s counts). */
export function weeklySummary(r: Record<string, number>): string {
  return (
    `Weekly reviewer digest sent: ${counted(r.waiting ?? 0, 'application', 'applications')} waiting, ` +
    `${counted(r.digests ?? 0, 'reviewer', 'reviewers')} mailed.`
  );
}
