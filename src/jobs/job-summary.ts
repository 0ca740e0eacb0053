/** What `jobs:daily` prints: counts in English, singular for one. */

function count(n: number | undefined, one: string, many: string): string {
  const value = n ?? 0;
  return `${value} ${value === 1 ? one : many}`;
}

/** The line after the daily work, from its result. */
export function dailyWorkSummary(result: Record<string, number>): string {
  return (
    `Daily work done: ${count(result.expired, 'expiry', 'expiries')} and ` +
    `${count(result.lapsed, 'lapse', 'lapses')} recorded, ${count(result.reminders, 'reminder', 'reminders')} queued, ` +
    `${count(result.rateLimitsPruned, 'expired rate-limit counter', 'expired rate-limit counters')} removed.`
  );
}

/** The line after the weekly reviewer digest, from its result. */
export function digestSummary(result: Record<string, number>): string {
  return (
    `Weekly reviewer digest sent: ${count(result.waiting, 'application', 'applications')} waiting, ` +
    `${count(result.digests, 'reviewer', 'reviewers')} mailed.`
  );
}
