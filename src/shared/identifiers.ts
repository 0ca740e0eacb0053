/** Checks on Dutch identifiers (design §5). Pure functions, unit-tested on tables of cases. */

/** KvK number: exactly eight digits. */
export function isKvkNumber(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9]{8}$/.test(value);
}

/** btw-id with spaces and dots removed, upper case, for checking and storing. */
export function normaliseVatNumber(value: string): string {
  return value.replace(/[\s.]/g, '').toUpperCase();
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
