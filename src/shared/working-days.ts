import { addDays, startOfLocalDay, toLocalDate } from './time';

/**
 * The instant `n` working days (Monday to Friday, in the Netherlands) before `now`, at the same
 * time of day. Public holidays are not taken into account.
 */
export function workingDaysBefore(now: Date, n: number): Date {
  let date = toLocalDate(now);
  const msIntoDay = now.getTime() - startOfLocalDay(date).getTime();
  let left = n;
  while (left > 0) {
    date = toLocalDate(addDays(startOfLocalDay(date), -0.5));
    const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return new Date(startOfLocalDay(date).getTime() + msIntoDay);
}

/** How long something has waited from `since` to `now`: whole calendar days and working days. */
export interface WaitingTime {
  days: number;
  workingDays: number;
}

/**
 * The days from `since` to `now` by the Dutch calendar: every day after the day of `since` up to
 * and including today counts, a working day (Monday to Friday) also as a working day. Public
 * holidays are not taken into account, as in `workingDaysBefore`.
 */
export function waitingTime(since: Date, now: Date): WaitingTime {
  const DAY = 86400000;
  const noon = (instant: Date) => new Date(`${toLocalDate(instant)}T12:00:00Z`).getTime();
  const from = noon(since);
  const days = Math.max(0, Math.round((noon(now) - from) / DAY));
  // Every whole week holds five working days; the days left over are looked at one by one.
  let workingDays = Math.floor(days / 7) * 5;
  for (let n = days - (days % 7) + 1; n <= days; n++) {
    const weekday = new Date(from + n * DAY).getUTCDay();
    if (weekday !== 0 && weekday !== 6) workingDays++;
  }
  return { days, workingDays };
}
