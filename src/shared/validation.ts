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
 * Fills a DTO class with `values` and validates it with class-validator; the decorators' messages
 * are translation keys. Throws ValidationError with every field's problems.
 */
export async function validated<T extends object>(
  dto: new () => T,
  values: Record<string, string>,
): Promise<T> {
  const instance = Object.assign(new dto(), values);
  const problems = await validate(instance, { forbidUnknownValues: true, stopAtFirstError: true });
  if (problems.length > 0) {
    const fields: FieldErrors = {};
    for (const p of problems)
      fields[p.property] = Object.values(p.constraints ?? { invalid: 'validation.invalid' });
    throw new ValidationError(fields);
  }
  return instance;
}

/** Merges field errors (e.g. from the DTO and from a rule the DTO cannot see). */
export function fieldError(field: string, key: string): ValidationError {
  return new ValidationError({ [field]: [key] });
}
