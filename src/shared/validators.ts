import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isOneLine } from './forbidden-characters';
import { isKvkNumber, isVatNumber, normalisePostcode, normaliseVatNumber } from './identifiers';
import { isMailAddress } from './mail-address';
import { parseLocalDate, startOfLocalDay } from './time';
import { validationNow } from './validation';

/** class-validator decorators for the register's own rules; their messages are translation keys. */

/**
 * A one-line field (an <input>, not a <textarea>): no line break, tab or other control character.
 * A browser's input cannot send them; a crafted post can, and a name with a line break in it
 * breaks the mail, CSV row or PDF line it is put in.
 */
export function IsOneLine(options?: ValidationOptions) {
  return ValidateBy(
    { name: 'isOneLine', validator: { validate: (v) => typeof v === 'string' && isOneLine(v) } },
    { message: 'validation.oneLine', ...options },
  );
}

/** An e-mail address in the usual dot-atom form, which mail goes to exactly as typed (mail-address.ts). */
export function IsMailAddress(options?: ValidationOptions) {
  return ValidateBy(
    { name: 'isMailAddress', validator: { validate: (v) => typeof v === 'string' && isMailAddress(v) } },
    { message: 'validation.email', ...options },
  );
}

export function IsKvkNumber(options?: ValidationOptions) {
  return ValidateBy({ name: 'isKvkNumber', validator: { validate: (v) => isKvkNumber(v) } }, options);
}

export function IsDutchVatNumber(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isDutchVatNumber',
      validator: { validate: (v) => typeof v === 'string' && isVatNumber(normaliseVatNumber(v)) },
    },
    options,
  );
}

export function IsDutchPostcode(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isDutchPostcode',
      validator: { validate: (v) => typeof v === 'string' && normalisePostcode(v) !== undefined },
    },
    options,
  );
}

/** A real calendar date, YYYY-MM-DD, not after today (Dutch calendar). */
export function IsPastOrTodayDate(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isPastOrTodayDate',
      validator: {
        validate: (v, args) =>
          typeof v === 'string' &&
          parseLocalDate(v) !== undefined &&
          v >= '1990-01-01' &&
          // "Today" is the app's clock's, handed to validated() by the route.
          startOfLocalDay(v).getTime() <= validationNow(args?.object ?? {}).getTime(),
      },
    },
    options,
  );
}

/** Comma-separated AS numbers ("AS1140, 12345"), each 1 … 4294967295. */
export function IsAsNumberList(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isAsNumberList',
      validator: { validate: (v) => typeof v === 'string' && parseAsNumbers(v) !== undefined },
    },
    options,
  );
}

export function parseAsNumbers(value: string): number[] | undefined {
  if (value.trim() === '') return [];
  const numbers: number[] = [];
  for (const part of value.split(/[,\s]+/).filter(Boolean)) {
    const match = /^(?:AS)?([0-9]{1,10})$/i.exec(part);
    const n = match ? Number(match[1]) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 4294967295) return undefined;
    numbers.push(n);
  }
  return numbers;
}

export function parseList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
