/** The register's time zone: dates people type and read are Dutch calendar dates. */
export const TIME_ZONE = 'Europe/Amsterdam';

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** Amsterdam's offset from UTC in ms, per UTC hour: offsets change only on whole UTC hours. */
const offsetByHour = new Map<number, number>();

function utcOffsetMs(instant: Date): number {
  const hour = Math.floor(instant.getTime() / 3_600_000);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    const p = Object.fromEntries(parts.formatToParts(instant).map((x) => [x.type, x.value]));
    const local = Date.UTC(
      Number(p.year),
      Number(p.month) - 1,
      Number(p.day),
      Number(p.hour),
      Number(p.minute),
    );
    offset = local - Math.floor(instant.getTime() / 60_000) * 60_000;
    // Formatting is the costly part of a lookup's dates: keep the hours seen, up to a bound.
    if (offsetByHour.size >= 100_000) offsetByHour.clear();
    offsetByHour.set(hour, offset);
  }
  return offset;
}

function localParts(instant: Date): { y: number; m: number; d: number; h: number; min: number } {
  const local = new Date(instant.getTime() + utcOffsetMs(instant));
  return {
    y: local.getUTCFullYear(),
    m: local.getUTCMonth() + 1,
    d: local.getUTCDate(),
    h: local.getUTCHours(),
    min: local.getUTCMinutes(),
  };
}

/** The calendar date of `instant` in Amsterdam, as YYYY-MM-DD. */
export function toLocalDate(instant: Date): string {
  const { y, m, d } = localParts(instant);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Parses YYYY-MM-DD as a real calendar date; undefined for anything else (2026-02-30 included). */
export function parseLocalDate(value: string): { y: number; m: number; d: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  const probe = new Date(Date.UTC(y, m - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d)
    return undefined;
  return { y, m, d };
}

/** The instant a calendar date starts in Amsterdam (00:00 local time, CET or CEST). */
export function startOfLocalDay(date: string): Date {
  const parsed = parseLocalDate(date);
  if (!parsed) throw new RangeError(`not a calendar date: ${date}`);
  const utcMidnight = Date.UTC(parsed.y, parsed.m - 1, parsed.d);
  // Amsterdam is UTC+1 or UTC+2, and midnight never falls in a daylight-saving gap there.
  for (const offsetHours of [1, 2]) {
    const candidate = new Date(utcMidnight - offsetHours * 3_600_000);
    const local = localParts(candidate);
    if (local.d === parsed.d && local.h === 0 && local.min === 0) return candidate;
  }
  throw new RangeError(`no local midnight found for ${date}`);
}

/** `instant` moved by whole calendar months in Amsterdam, keeping the local time of day (clamped to month end). */
export function addMonths(instant: Date, months: number): Date {
  const local = localParts(instant);
  const target = new Date(Date.UTC(local.y, local.m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  const day = Math.min(local.d, lastDay);
  const date = `${target.getUTCFullYear()}-${String(target.getUTCMonth() + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const msIntoDay = instant.getTime() - startOfLocalDay(toLocalDate(instant)).getTime();
  return new Date(startOfLocalDay(date).getTime() + msIntoDay);
}

export function addDays(instant: Date, days: number): Date {
  return new Date(instant.getTime() + days * 86_400_000);
}

/** The last instant (millisecond) of a Dutch calendar day. */
export function endOfLocalDay(date: string): Date {
  const next = startOfLocalDay(toLocalDate(addDays(startOfLocalDay(date), 1.5)));
  return new Date(next.getTime() - 1);
}

/** A peildatum: a real calendar date, YYYY-MM-DD, from 1990 on (the register has no earlier history). */
export function isPeildatum(value: string): boolean {
  return parseLocalDate(value) !== undefined && value >= '1990-01-01';
}

const withSeconds = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/**
 * `instant` as Amsterdam's clock read it, with its offset: 2025-03-30T03:15:00+02:00. For files
 * people open (CSV in Excel), where a UTC time would read as an hour or two off, or the day before.
 */
export function toLocalDateTime(instant: Date): string {
  const p = Object.fromEntries(withSeconds.formatToParts(instant).map((x) => [x.type, x.value]));
  const local = `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
  const wholeSeconds = Math.floor(instant.getTime() / 1000) * 1000;
  const offset = Math.round((Date.parse(`${local}Z`) - wholeSeconds) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${local}${sign}${hours}:${minutes}`;
}

/** Excel's day numbers of 1990-01-01 and 2100-12-31: outside them a number is no date. */
const SERIAL_RANGE = [32_874, 73_415] as const;
/** Excel's day 0 (its day numbers count from 1899-12-30, past its 1900 leap day that never was). */
const SERIAL_EPOCH = Date.UTC(1899, 11, 30);

/**
 * A date as Excel keeps it: the number of days since 1899-12-30 (`45658` is 2025-01-01), as a
 * numeric cell reads, or as CSV text when the cell lost its date format; a time of day after the
 * point is left out. Only 1990 to 2100: a smaller or larger number is something else.
 */
export function excelSerialDate(text: string): string | undefined {
  const match = /^(\d{5})(?:\.\d+)?$/.exec(text);
  if (!match) return undefined;
  const days = Number(match[1]);
  if (days < SERIAL_RANGE[0] || days > SERIAL_RANGE[1]) return undefined;
  return new Date(SERIAL_EPOCH + days * 86_400_000).toISOString().slice(0, 10);
}
