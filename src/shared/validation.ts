import { validate } from 'class-validator';
import { ValidationError } from './errors';

export type FieldErrors = Record<string, string[]>;

/**
 * Form fields as trimmed strings: what the user typed, kept to re-show it. Anything that is not
 * a single string (a repeated field, an object from a crafted body) becomes ''.
 */
export function formValues<K extends string>(body: unknown, fields: readonly K[]): Record<K, string> {
  const source = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const values = {} as Record<K, string>;
  for (const field of fields) {
    const raw = source[field];
    values[field] = typeof raw === 'string' ? raw.trim() : '';
  }
  return values;
}

/**
 * The fields a query gives more than once (?peildatum=a&peildatum=b): a question with two answers
 * is refused with a message, never answered by a guess or silently left unanswered.
 */
export function repeatedFields<K extends string>(query: unknown, fields: readonly K[]): K[] {
  const source = query && typeof query === 'object' ? (query as Record<string, unknown>) : {};
  return fields.filter((field) => Array.isArray(source[field]));
}

/**
 * Where a DTO being validated carries the instant its time-dependent rules (such as "not after
 * today") judge by: a symbol, so it is never a form field and never validated itself.
 */
export const VALIDATION_NOW = Symbol('validation now');

/** The instant `validated` was given for the object a decorator is checking. */
export function validationNow(object: object): Date {
  const now = (object as { [VALIDATION_NOW]?: Date })[VALIDATION_NOW];
  if (!(now instanceof Date)) {
    throw new Error('this form has a rule that depends on the date: pass { now } to validated()');
  }
  return now;
}

/**
 * Fills a DTO class with `values` and validates it with class-validator; the decorators' messages
 * are translation keys. Throws ValidationError with every field's problems. Forms with rules that
 * depend on the date pass `now` (from the app's clock).
 */
export async function validated<T extends object>(
  dto: new () => T,
  values: Record<string, string>,
  context: { now?: Date } = {},
): Promise<T> {
  const instance = Object.assign(new dto(), values);
  if (context.now) Object.defineProperty(instance, VALIDATION_NOW, { value: context.now });
  const problems = await validate(instance, { forbidUnknownValues: true, stopAtFirstError: true });
  if (problems.length > 0) {
    const fields: FieldErrors = {};
    for (const p of problems)
      fields[p.property] = Object.values(p.constraints ?? { invalid: 'validation.invalid' });
    throw new ValidationError(fields);
  }
  return instance;
}
