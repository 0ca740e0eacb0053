import { addDays, startOfLocalDay, toLocalDate } from '../shared/time';

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
