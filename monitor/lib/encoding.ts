/** Small strict decoders the formats share: the specs allow one spelling only, so anything else is refused. */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard base64 (RFC 4648 §4) with padding, in its one canonical spelling; undefined for anything else. */
export function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Non-zero bits after the last full byte would decode the same as zero bits: refuse them.
  return bytes.toString('base64') === text ? bytes : undefined;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** An ASCII decimal with no leading zeros that fits a safe integer; undefined for anything else. */
export function decodeDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Whether `value` is a whole number from 0 to 2^53 - 1. */
export function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}
