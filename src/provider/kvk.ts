/** A KvK number is exactly eight digits. */
export function isKvkNumber(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9]{8}$/.test(value);
}
