import { ValidationError } from '../shared/errors';
import { hasForbiddenCharacters } from '../shared/forbidden-characters';
import { isKvkNumber } from '../shared/identifiers';
import { isPeildatum, startOfLocalDay } from '../shared/time';
import type { FieldErrors } from '../shared/validation';

/** A parameter's reading: its value, or the translation key of why it was refused. */
export type Reading<T> = { value: T } | { error: string };
export type Parser<T> = (raw: string) => Reading<T>;

/**
 * Reads the query parameters of an operation. Every refusal is collected, so one 400 names all of
 * them: an unknown parameter (a typo should not pass silently), a repeated one, a malformed value.
 */
export function readQuery<T extends Record<string, unknown>>(
  query: unknown,
  parsers: { [K in keyof T]: Parser<T[K]> },
): Partial<T> {
  const source = (query ?? {}) as Record<string, unknown>;
  const fields: FieldErrors = {};
  const values: Partial<T> = {};
  for (const name of Object.keys(source)) {
    if (!Object.hasOwn(parsers, name)) fields[name] = ['api.invalid.unknownParameter'];
  }
  for (const name of Object.keys(parsers) as (keyof T & string)[]) {
    const raw = source[name];
    if (raw === undefined) continue;
    if (typeof raw !== 'string') {
      fields[name] = ['api.invalid.repeated'];
      continue;
    }
    const reading = parsers[name](raw);
    if ('error' in reading) fields[name] = [reading.error];
    else values[name] = reading.value;
  }
  if (Object.keys(fields).length > 0) throw new ValidationError(fields);
  return values;
}

/** A KvK number from the path; a malformed one is a 400 that says so, not a bare 404. */
export function kvkFromPath(raw: string): string {
  if (!isKvkNumber(raw)) throw new ValidationError({ kvkNummer: ['api.invalid.kvkNumber'] });
  return raw;
}

/** A peildatum: a real date, YYYY-MM-DD, from 1990 on, and not after today in the Netherlands. */
export function peildatumReading(raw: unknown, now: Date): Reading<string> {
  if (typeof raw !== 'string') return { error: 'api.invalid.dateType' };
  if (!isPeildatum(raw)) return { error: 'api.invalid.date' };
  if (startOfLocalDay(raw).getTime() > now.getTime()) return { error: 'api.invalid.futureDate' };
  return { value: raw };
}

export const peildatumParser =
  (now: Date): Parser<string> =>
  (raw) =>
    peildatumReading(raw, now);

export const wholeNumberParser =
  (min: number, max: number, error: string): Parser<number> =>
  (raw) => {
    if (!/^[0-9]{1,9}$/.test(raw)) return { error };
    const value = Number(raw);
    return value >= min && value <= max ? { value } : { error };
  };

export const oneOfParser =
  <V extends string>(values: readonly V[], error: string): Parser<V> =>
  (raw) =>
    (values as readonly string[]).includes(raw) ? { value: raw as V } : { error };

/** Free text: at most `max` characters, no control characters and no bidirectional overrides. */
export const textParser =
  (max: number): Parser<string> =>
  (raw) =>
    raw.length <= max && !hasForbiddenCharacters(raw) ? { value: raw } : { error: 'api.invalid.text' };
