/** A page number from the query string: anything that is not a positive whole number means page 1. */
export function pageNumber(raw: unknown): number {
  if (typeof raw !== 'string' || !/^[0-9]{1,9}$/.test(raw)) return 1;
  return Math.max(1, Number(raw));
}
