import { addDays, addMonths, startOfLocalDay, toLocalDate } from '../shared/time';

/** The demo's calendar: its history is written in months before the moment of seeding. */

export const MINUTE = 60_000;

/** The moment `months` (may be fractional) before `now`, on the Dutch calendar. */
export function monthsBefore(now: Date, months: number): Date {
  const whole = Math.floor(months);
  return addDays(addMonths(now, -whole), -Math.round((months - whole) * 30));
}

/** Nine in the morning (Dutch time) on the day `months` before `now`, plus `minutes`: office hours. */
export function officeHours(now: Date, months: number, minutes = 0): Date {
  const day = toLocalDate(monthsBefore(now, months));
  return new Date(startOfLocalDay(day).getTime() + 9 * 60 * MINUTE + minutes * MINUTE);
}

/** A quarter past midnight (Dutch time) on `day`: when the register's scheduler does the daily work. */
export function nightOf(day: string): Date {
  return new Date(startOfLocalDay(day).getTime() + 15 * MINUTE);
}

/** The Dutch calendar day after `day`. */
export function nextLocalDay(day: string): string {
  return toLocalDate(addDays(startOfLocalDay(day), 1.5));
}

/**
 * When the demo's register does the daily work on `day`: at night (`nightOf`), or `now` when that
 * is still ahead (the first tick of a server started now).
 */
export function nightlyRun(day: string, now: Date): Date {
  const at = nightOf(day);
  return at.getTime() < now.getTime() ? at : now;
}

/** Every Dutch calendar day from the one `from` falls on up to and including the one `to` falls on. */
export function localDaysBetween(from: Date, to: Date): string[] {
  const days: string[] = [];
  const last = toLocalDate(to);
  for (let day = toLocalDate(from); day <= last; day = nextLocalDay(day)) days.push(day);
  return days;
}

/** The first nightly run (a quarter past midnight, Dutch time) after `instant`. */
export function nightAfter(instant: Date): Date {
  const day = toLocalDate(instant);
  const sameNight = nightOf(day);
  return sameNight.getTime() > instant.getTime() ? sameNight : nightOf(nextLocalDay(day));
}

/** A moment of office hours (Dutch time) on the day `instant` falls on: 9:00 plus `minutes`. */
export function officeHoursOn(instant: Date, minutes: number): Date {
  return new Date(startOfLocalDay(toLocalDate(instant)).getTime() + 9 * 60 * MINUTE + minutes * MINUTE);
}
