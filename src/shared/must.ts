/**
 * `value`, or an error when it is undefined: for values the code knows are there but the type
 * system cannot see (the one row an aggregate query returns, a group of a pattern that matched,
 * the last element of a list just checked to be non-empty). `why` names what guarantees the value
 * and goes into the error, so a broken guarantee fails loudly instead of as a TypeError later.
 */
export function must<T>(value: T | undefined, why: string): T {
  if (value === undefined) throw new Error(`Missing value: ${why}`);
  return value;
}
