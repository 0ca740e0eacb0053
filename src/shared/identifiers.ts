/** Checks on Dutch identifiers (design §5). Pure functions, unit-tested on tables of cases. */

/** KvK number: exactly eight digits. */
export function isKvkNumber(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9]{8}$/.test(value);
}

/** btw-id with spaces (also non-breaking), dots and hyphens removed, upper case, for checking and storing. */
export function normaliseVatNumber(value: string): string {
  return value.replace(/[\s.\u00a0\u202f-]/g, '').toUpperCase();
}

/**
 * btw-id: NL + 9 digits + B + 2 digits, where the 9 digits pass the 11-test (the old
 * RSIN-based numbers) or the whole number passes ISO 7064 mod 97-10 (numbers since 2020).
 */
export function isVatNumber(value: string): boolean {
  const digits = /^NL([0-9]{9})B([0-9]{2})$/.exec(value)?.[1];
  if (!digits) return false;
  return passesElevenTest(digits) || passesMod97(value);
}

function passesElevenTest(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(digits[i]) * (9 - i);
  const check = sum % 11;
  return check !== 10 && check === Number(digits[8]);
}

function passesMod97(vat: string): boolean {
  // Letters count as numbers (A=10 … Z=35); the whole must leave 1 when divided by 97.
  const numeric = vat.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
  return remainder === 1;
}

/** Postcode as `1234 AB`, or undefined when it is not a Dutch postcode. */
export function normalisePostcode(value: string): string | undefined {
  const match = /^\s*([1-9][0-9]{3})\s?([a-zA-Z]{2})\s*$/.exec(value);
  return match?.[1] && match[2] ? `${match[1]} ${match[2].toUpperCase()}` : undefined;
}

/**
 * How a typed KvK number reads: eight digits, seven (a leading zero lost, as spreadsheets do), ten
 * starting with two zeros (Excel's ten-digit number format), or neither.
 */
export type KvkReading =
  | { kind: 'valid'; kvkNumber: string }
  | { kind: 'leadingZeroLost'; kvkNumber: string; typed: string }
  | { kind: 'tenDigits'; kvkNumber: string; typed: string }
  | { kind: 'invalid' };

/**
 * A date as people and spreadsheets write it: d-m-yyyy, dd-mm-yyyy or yyyy-mm-dd, with hyphens,
 * slashes or dots (the same twice), a plausible day and month (either order). Its digits are no KvK number, even
 * when there are eight of them ("01-01-2026"); an .xlsx date cell reads as yyyy-mm-dd.
 */
export function isDateShaped(value: string): boolean {
  const dayFirst = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$/.exec(value);
  const yearFirst = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(value);
  const parts = dayFirst ? [dayFirst[1], dayFirst[3]] : yearFirst ? [yearFirst[3], yearFirst[4]] : [];
  // Day and month in either order (12/31/2025 is a date too): one of them 1–12, the other 1–31.
  const [low, high] = parts.map(Number).sort((a, b) => a - b);
  return low !== undefined && high !== undefined && low >= 1 && low <= 12 && high <= 31;
}

/**
 * The one reading of a KvK number as people type and paste it, for every form, upload and the API:
 * spaces (also non-breaking), dots and hyphens between the digits are ignored, and so is a leading
 * "KvK", "KvK-nummer", "KvK nr." or "KvK:". Seven digits are a number that lost its leading zero
 * (a spreadsheet that read it as a number): the caller offers `kvkNumber`, the eight-digit form. Ten
 * digits of which the first two are zeros are the eight after them (Excel's ten-digit number
 * format, "0000000000"), said in a note. A date ("01-01-2026", "2026-01-01") is no KvK number.
 */
export function readKvkNumber(input: string): KvkReading {
  if (isDateShaped(input.trim())) return { kind: 'invalid' };
  const digits = kvkDigits(input);
  if (/^[0-9]{8}$/.test(digits)) return { kind: 'valid', kvkNumber: digits };
  if (/^[0-9]{7}$/.test(digits)) return { kind: 'leadingZeroLost', kvkNumber: `0${digits}`, typed: digits };
  if (/^00[0-9]{8}$/.test(digits)) return { kind: 'tenDigits', kvkNumber: digits.slice(2), typed: digits };
  return { kind: 'invalid' };
}

/**
 * What is left of a typed KvK number (or its beginning) once a leading "KvK", "KvK-nummer", "KvK nr."
 * or "KvK:" and the spaces, dots and hyphens between the digits are taken away; `readKvkNumber`
 * reads a whole number from it, the register search also the first digits of one.
 */
export function kvkDigits(input: string): string {
  return input
    .trim()
    .replace(/^kvk(?:[\s-]*(?:nummer|number|nr\.?|no\.?))?\s*:?/i, '')
    .replace(/[\s.\u00a0\u202f-]/g, '');
}

/** A record's id as the database makes them (a UUID): anything else in a URL is no record. */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
