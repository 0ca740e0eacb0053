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
